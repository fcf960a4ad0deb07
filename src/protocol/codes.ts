/**
 * EMV 3DS code lists, with short English meanings for logs and admin screens.
 * Codes marked (2.3.1) are not valid in a 2.2.0 message; the schemas enforce that.
 * Most lists also let a DS use 80-99 for its own purposes; those are not listed here.
 */
import { BRANDS, type Brand, type BrandProfile } from './brands.ts';

export const MESSAGE_TYPES = [
  'AReq', 'ARes', 'CReq', 'CRes', 'PReq', 'PRes', 'RReq', 'RRes', 'OReq', 'ORes', 'Erro',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && (MESSAGE_TYPES as readonly string[]).includes(value);
}

export const TRANS_STATUS = {
  Y: 'Authentication verification successful',
  N: 'Not authenticated / account not verified; transaction denied',
  U: 'Authentication could not be performed',
  A: 'Attempts processing performed; not authenticated, proof of attempt provided',
  C: 'Challenge required',
  D: 'Challenge required; decoupled authentication confirmed',
  R: 'Authentication rejected; issuer asks not to authorise',
  I: 'Informational only; 3DS Requestor challenge preference acknowledged',
  S: 'Challenge using Secure Payment Confirmation (2.3.1)',
} as const;
export type TransStatus = keyof typeof TRANS_STATUS;

export const TRANS_STATUS_REASON = {
  '01': 'Card authentication failed',
  '02': 'Unknown device',
  '03': 'Unsupported device',
  '04': 'Exceeds authentication frequency limit',
  '05': 'Expired card',
  '06': 'Invalid card number',
  '07': 'Invalid transaction',
  '08': 'No card record',
  '09': 'Security failure',
  '10': 'Stolen card',
  '11': 'Suspected fraud',
  '12': 'Transaction not permitted to cardholder',
  '13': 'Cardholder not enrolled in service',
  '14': 'Transaction timed out at the ACS',
  '15': 'Low confidence',
  '16': 'Medium confidence',
  '17': 'High confidence',
  '18': 'Very high confidence',
  '19': 'Exceeds ACS maximum challenges',
  '20': 'Non-payment transaction not supported',
  '21': '3RI transaction not supported',
  '22': 'ACS technical issue',
  '23': 'Decoupled authentication required by ACS but not requested by 3DS Requestor',
  '24': '3DS Requestor decoupled max expiry time exceeded',
  '25': 'Decoupled authentication was provided insufficient time to authenticate cardholder',
  '26': 'Authentication attempted but not performed by the cardholder',
  '27': 'Preferred authentication method not supported (2.3.1)',
  '28': 'Validation of content security policy failed (2.3.1)',
  '29': 'Authentication attempted but not completed; fall back to decoupled (2.3.1)',
  '30': 'Authentication completed; further authentication required as decoupled (2.3.1)',
} as const;
export type TransStatusReason = keyof typeof TRANS_STATUS_REASON;

/** challengeCancel (RReq; app CReq). 02 is reserved and never valid. */
export const CHALLENGE_CANCEL = {
  '01': 'Cardholder selected Cancel',
  '03': 'Transaction timed out: decoupled authentication',
  '04': 'Transaction timed out at ACS: other timeouts',
  '05': 'Transaction timed out at ACS: first CReq not received',
  '06': 'Transaction error',
  '07': 'Unknown',
  '08': 'Transaction timed out at SDK',
  '09': 'Error message in response to the CRes message sent by the ACS (2.3.1)',
  '10': 'Error message in response to the CReq message received by the ACS (2.3.1)',
} as const;
export type ChallengeCancel = keyof typeof CHALLENGE_CANCEL;

/** Browser iframe sizes the 3DS Requestor asks for; 05 is the whole page. */
export const CHALLENGE_WINDOW_SIZE = {
  '01': { width: 250, height: 400, fullScreen: false },
  '02': { width: 390, height: 400, fullScreen: false },
  '03': { width: 500, height: 600, fullScreen: false },
  '04': { width: 600, height: 400, fullScreen: false },
  '05': { width: null, height: null, fullScreen: true },
} as const;
export type ChallengeWindowSize = keyof typeof CHALLENGE_WINDOW_SIZE;

export const DEVICE_CHANNEL = {
  '01': 'App-based (APP)',
  '02': 'Browser-based (BRW)',
  '03': '3DS Requestor Initiated (3RI)',
} as const;
export type DeviceChannel = keyof typeof DEVICE_CHANNEL;

export const MESSAGE_CATEGORY = {
  '01': 'Payment authentication (PA)',
  '02': 'Non-payment authentication (NPA)',
} as const;
export type MessageCategory = keyof typeof MESSAGE_CATEGORY;

export const THREE_DS_COMP_IND = {
  Y: '3DS Method completed',
  N: '3DS Method did not complete',
  U: '3DS Method URL not available for the card range',
} as const;

export const THREE_DS_REQUESTOR_CHALLENGE_IND = {
  '01': 'No preference',
  '02': 'No challenge requested',
  '03': 'Challenge requested (3DS Requestor preference)',
  '04': 'Challenge requested (mandate)',
  '05': 'No challenge requested (transactional risk analysis already performed)',
  '06': 'No challenge requested (data share only)',
  '07': 'No challenge requested (strong consumer authentication already performed)',
  '08': 'No challenge requested (use trust list exemption if no challenge required)',
  '09': 'Challenge requested (trust list prompt requested if challenge required)',
  '10': 'No challenge requested (use low value exemption) (2.3.1)',
  '11': 'No challenge requested (secure corporate payment exemption) (2.3.1)',
  '12': 'Challenge requested (device binding prompt requested if challenge required) (2.3.1)',
  '13': 'Challenge requested (issuer requested) (2.3.1)',
  '14': 'Challenge requested (merchant-initiated transactions) (2.3.1)',
} as const;
export type ThreeDSRequestorChallengeInd = keyof typeof THREE_DS_REQUESTOR_CHALLENGE_IND;

export const THREE_DS_REQUESTOR_AUTHENTICATION_IND = {
  '01': 'Payment transaction',
  '02': 'Recurring transaction',
  '03': 'Instalment transaction',
  '04': 'Add card',
  '05': 'Maintain card',
  '06': 'Cardholder verification as part of EMV token ID&V',
  '07': 'Billing agreement (2.3.1)',
  '08': 'Split shipment (2.3.1)',
  '09': 'Delayed shipment (2.3.1)',
  '10': 'Split payment (2.3.1)',
} as const;

export const THREE_RI_IND = {
  '01': 'Recurring transaction',
  '02': 'Instalment transaction',
  '03': 'Add card',
  '04': 'Maintain card information',
  '05': 'Account verification',
  '06': 'Split/delayed shipment',
  '07': 'Top-up',
  '08': 'Mail order',
  '09': 'Telephone order',
  '10': 'Trust list status check',
  '11': 'Other payment',
  '12': 'Billing agreement (2.3.1)',
  '13': 'Device binding status check (2.3.1)',
  '14': 'Card security code status check (2.3.1)',
  '15': 'Delayed shipment (2.3.1)',
  '16': 'Split payment (2.3.1)',
  '17': 'FIDO credential deletion (2.3.1)',
  '18': 'FIDO credential registration (2.3.1)',
  '19': 'Decoupled authentication fallback (2.3.1)',
} as const;
export type ThreeRIInd = keyof typeof THREE_RI_IND;

/** authenticationType: 2.2.0 ARes (C/D) and RReq (Y/N). */
export const AUTHENTICATION_TYPE = {
  '01': 'Static',
  '02': 'Dynamic',
  '03': 'OOB',
  '04': 'Decoupled',
} as const;
export type AuthenticationType = keyof typeof AUTHENTICATION_TYPE;

/** authenticationMethod: the 2.3.1 replacement for authenticationType (an array of these). */
export const AUTHENTICATION_METHOD = {
  '01': 'Static passcode',
  '02': 'SMS OTP',
  '03': 'Key fob or EMV card reader OTP',
  '04': 'App OTP',
  '05': 'OTP other',
  '06': 'KBA',
  '07': 'OOB biometrics',
  '08': 'OOB login',
  '09': 'OOB other',
  '10': 'Other',
  '11': 'Push confirmation',
  '12': 'Decoupled',
  '13': 'WebAuthn',
  '14': 'SPC',
  '15': 'Behavioural biometrics',
  '16': 'Electronic ID',
} as const;
export type AuthenticationMethod = keyof typeof AUTHENTICATION_METHOD;

/** The 2.3.1 authenticationMethod that carries the same meaning as a 2.2.0 authenticationType. */
export const AUTHENTICATION_METHOD_FOR_TYPE: Record<AuthenticationType, AuthenticationMethod> = {
  '01': '01', // static -> static passcode
  '02': '02', // dynamic -> SMS OTP, the appliance's only dynamic method
  '03': '09', // OOB -> OOB other
  '04': '12', // decoupled
};

/** RRes resultsStatus. */
export const RESULTS_STATUS = {
  '01': 'RReq received for further processing',
  '02': 'CReq not sent; 3DS Requestor opted out of the challenge',
  '03': 'ARes challenge data not delivered to the 3DS Requestor',
  '04': '3DS Server will run decoupled authentication in a subsequent 3RI (2.3.1)',
} as const;
export type ResultsStatus = keyof typeof RESULTS_STATUS;

/** An ECI value of one of the brands (protocol/brands.ts holds them per brand). */
export type Eci = (typeof BRANDS)[Brand]['eci'][keyof BrandProfile['eci']];

/**
 * The ECI that goes with an outcome. C, D and S are not outcomes yet, so they have none.
 * Whether to send an ECI with N, U, R or I is the DS's rule; the ACS layer decides.
 *
 * @example eciFor('visa', 'Y') // '05'
 */
export function eciFor(brand: Brand, transStatus: 'Y' | 'A' | 'N' | 'U' | 'R' | 'I'): Eci;
export function eciFor(brand: Brand, transStatus: TransStatus): Eci | undefined;
export function eciFor(brand: Brand, transStatus: TransStatus): Eci | undefined {
  const eci = BRANDS[brand].eci;
  switch (transStatus) {
    case 'Y':
      return eci.authenticated;
    case 'A':
      return eci.attempted;
    case 'N':
    case 'U':
    case 'R':
    case 'I':
      return eci.notAuthenticated;
    default:
      return undefined;
  }
}
