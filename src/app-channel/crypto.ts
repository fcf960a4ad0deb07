/**
 * The app channel's cryptography, WebCrypto only (Workers, Node, Deno): the ephemeral key pair,
 * the 3-D Secure Concat KDF (not JOSE's ECDH-ES parameters), the JWE `dir` messages both ways
 * (A128CBC-HS256 with the whole key, A128GCM with its left half SDK→ACS and right half ACS→SDK,
 * counter IVs), the signed content, and the session key sealed at rest.
 *
 * STUB (foundation): the app-crypto helper fills this in; the signatures are the contract.
 */
export type EcPublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };
export type JweEnc = 'A128CBC-HS256' | 'A128GCM';
export interface JweHeader { alg: string; enc: string; kid?: string }

export declare function generateEphemeralKeyPair(): Promise<{ privateKey: CryptoKey; publicJwk: EcPublicJwk }>;
/** The SDK's sdkEphemPubKey as a key, or null when it is not an EC P-256 point on the curve. */
export declare function importSdkPublicKey(jwk: unknown): Promise<CryptoKey | null>;
/** CEK = SHA-256(00000001 ‖ Z ‖ 00000000 ‖ 00000000 ‖ len ‖ sdkReferenceNumber ‖ 00000100), 32 bytes. */
export declare function deriveSessionKey(privateKey: CryptoKey, sdkPublicKey: CryptoKey, sdkReferenceNumber: string): Promise<Uint8Array>;
/** The protected header of a compact JWE, or null when it is not one (5 parts, JSON header). */
export declare function readJweHeader(jwe: string): JweHeader | null;
export declare function decryptCReq(cek: Uint8Array, jwe: string): Promise<{ ok: true; header: JweHeader & { enc: JweEnc }; plaintext: string } | { ok: false; reason: 'malformed' | 'header' | 'decryption' }>;
/** A CRes as compact JWE; the GCM IV is FF…FF ‖ counter; `iv` fixes the IV (test vectors only). */
export declare function encryptCRes(cek: Uint8Array, enc: JweEnc, kid: string, counter: number, plaintext: string, iv?: Uint8Array): Promise<string>;
export declare function sealSessionKey(dataKey: CryptoKey, cek: Uint8Array): Promise<string>;
export declare function openSessionKey(dataKey: CryptoKey, sealed: string): Promise<Uint8Array>;
