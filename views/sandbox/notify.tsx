import { Page } from '../layout.tsx';

/** The merchant's notification page inside the iframe: tells the checkout page (its parent) what arrived. */
export function NotifyParentPage(props: { event: 'methodNotification' | 'challengeNotification'; data: unknown }) {
  return (
    <Page title="Notification" htmx={false} framed scripts={['/static/js/sandbox-notify.js']}>
      <div id="notification" data-event={props.event} data-message={JSON.stringify(props.data)}></div>
    </Page>
  );
}
