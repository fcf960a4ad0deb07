import { Page } from './layout.tsx';

/**
 * The 3DS Method page, loaded in the merchant's hidden iframe. Our own small script reads browser
 * properties, hands them to the ACS, then posts `threeDSMethodData` (the notification: base64url
 * of the threeDSServerTransID alone) to the merchant's notification URL. No third-party script;
 * without JavaScript nothing is posted and the 3DS Server simply reports threeDSCompInd N.
 */
export function MethodPage(props: {
  notificationURL: string;
  /** The value posted to the notification URL, already encoded. */
  threeDSMethodData: string;
  threeDSServerTransID: string;
  /** Lets this page, and only it, add what the browser reports (POST /3ds/method/collect). */
  token: string;
}) {
  return (
    <Page title="3DS Method" htmx={false} framed scripts={['/static/js/method.js']}>
      <form
        id="notify"
        method="post"
        action={props.notificationURL}
        data-collect="/3ds/method/collect"
        data-trans-id={props.threeDSServerTransID}
        data-token={props.token}
      >
        <input type="hidden" name="threeDSMethodData" value={props.threeDSMethodData} />
      </form>
    </Page>
  );
}
