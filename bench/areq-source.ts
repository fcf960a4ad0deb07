/**
 * Distinct, valid 2.2.0 browser AReqs for the load generator, made before the clock starts.
 *
 * The AReq is the sandbox's own (`browserAReq`), serialised once with placeholders; what varies
 * per request (threeDSServerTransID, dsTransID, the card) is generated up front into a pool. Taking
 * the next AReq is then three string concatenations, so the generator never limits the server.
 */
import { browserAReq } from '../src/sandbox/areq-builder.ts';
import { benchPan } from './cards.ts';

export interface AReqSourceOptions {
  /** Bench cards 0…cards-1 are enrolled; each AReq picks one at random. */
  cards: number;
  /** Minor units of JPY: below ¥30,000 is frictionless (Y), at or above it is challenged (C). */
  purchaseAmount: string;
  /** How many distinct AReqs to prepare. */
  pool: number;
}

export interface PreparedAReq {
  body: string;
  threeDSServerTransID: string;
  /** The bench card's number i (benchPan(i), benchLoginId(i)). */
  card: number;
}

export interface AReqSource {
  next(): PreparedAReq;
  /** AReqs taken so far, and how many had to be made on the spot because the pool ran dry. */
  readonly taken: number;
  readonly madeLate: number;
}

const SERVER_ID = '00000000-0000-4000-8000-00000000000a';
const DS_ID = '00000000-0000-4000-8000-00000000000b';
const PAN = '3569995000000000';

export function areqSource(options: AReqSourceOptions): AReqSource {
  const template = JSON.stringify(
    browserAReq({ pan: PAN, messageVersion: '2.2.0', purchaseAmount: options.purchaseAmount, threeDSServerTransID: SERVER_ID, extra: { dsTransID: DS_ID } }),
  );
  // The template cut at its three variable values, in the order they appear.
  const slots = [SERVER_ID, DS_ID, PAN].map((value) => ({ value, at: template.indexOf(`"${value}"`) + 1 })).sort((a, b) => a.at - b.at);
  if (slots.some((s) => s.at === 0)) throw new Error('AReq template is missing a variable field');
  const parts: string[] = [];
  let from = 0;
  for (const s of slots) {
    parts.push(template.slice(from, s.at));
    from = s.at + s.value.length;
  }
  parts.push(template.slice(from));
  const order = slots.map((s) => s.value);

  const make = () => {
    const card = Math.floor(Math.random() * options.cards);
    const values: Record<string, string> = {
      [SERVER_ID]: crypto.randomUUID(),
      [DS_ID]: crypto.randomUUID(),
      [PAN]: benchPan(card),
    };
    return [values[order[0]], values[order[1]], values[order[2]], values[SERVER_ID], card] as const;
  };
  const pool = Array.from({ length: options.pool }, make);

  let taken = 0;
  let madeLate = 0;
  return {
    next() {
      let v = pool[taken];
      if (v) pool[taken] = undefined as never; // let the pool shrink as it is used
      else {
        v = make();
        madeLate++;
      }
      taken++;
      return { body: parts[0] + v[0] + parts[1] + v[1] + parts[2] + v[2] + parts[3], threeDSServerTransID: v[3], card: v[4] };
    },
    get taken() {
      return taken;
    },
    get madeLate() {
      return madeLate;
    },
  };
}
