/**
 * Server-rendered SVG charts, no library: stacked columns over time and horizontal bars. Each
 * chart is decoration for sighted readers (aria-hidden): the numbers are in the table the page
 * puts with it, which is what a screen reader reads.
 */
export interface Segment {
  key: string;
  color: string;
}

const W = 640;
const H = 200;
const PAD = { left: 40, right: 8, top: 8, bottom: 24 };

/** Columns per period, each stacked by key (e.g. AReqs per hour by outcome). */
export function StackedColumns(props: { columns: { label: string; values: Record<string, number> }[]; segments: Segment[] }) {
  const { columns, segments } = props;
  const totals = columns.map((c) => segments.reduce((a, s) => a + (c.values[s.key] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, columns.length);
  const barW = Math.max(2, step * 0.7);
  const every = Math.ceil(columns.length / 8);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} width="100%" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">
      <line x1={PAD.left} y1={PAD.top + plotH} x2={W - PAD.right} y2={PAD.top + plotH} stroke="#555d66" />
      <text x={PAD.left - 4} y={PAD.top + 10} text-anchor="end" font-size="11" fill="#1b1f24">
        {max}
      </text>
      <text x={PAD.left - 4} y={PAD.top + plotH} text-anchor="end" font-size="11" fill="#1b1f24">
        0
      </text>
      {columns.map((col, i) => {
        let y = PAD.top + plotH;
        const x = PAD.left + i * step + (step - barW) / 2;
        return (
          <g>
            {segments.map((s) => {
              const v = col.values[s.key] ?? 0;
              if (!v) return null;
              const h = (v / max) * plotH;
              y -= h;
              return <rect x={x.toFixed(1)} y={y.toFixed(1)} width={barW.toFixed(1)} height={h.toFixed(1)} fill={s.color} />;
            })}
            {i % every === 0 && (
              <text x={(x + barW / 2).toFixed(1)} y={H - 6} text-anchor="middle" font-size="11" fill="#1b1f24">
                {col.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** One horizontal bar per item (e.g. challenges by result, latency buckets). */
export function Bars(props: { items: { label: string; value: number; color?: string }[] }) {
  const rowH = 22;
  const labelW = 220;
  const h = props.items.length * rowH + 4;
  const max = niceMax(Math.max(0, ...props.items.map((i) => i.value)));
  const plotW = W - labelW - 60;
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${h}`} width="100%" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">
      {props.items.map((item, i) => {
        const y = i * rowH + 2;
        const w = (item.value / max) * plotW;
        return (
          <g>
            <text x={labelW - 6} y={y + 15} text-anchor="end" font-size="12" fill="#1b1f24">
              {item.label}
            </text>
            <rect x={labelW} y={y + 3} width={w.toFixed(1)} height={rowH - 6} fill={item.color ?? '#0a2f6b'} />
            <text x={(labelW + w + 4).toFixed(1)} y={y + 15} font-size="12" fill="#1b1f24">
              {item.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** A round upper bound for an axis (at least 1). */
function niceMax(v: number): number {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
