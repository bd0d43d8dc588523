/** The part of the `qrcode` package (1.5) the console uses: an SVG of a QR code. */
declare module 'qrcode' {
  /** Options of `toString`. */
  interface QRCodeToStringOptions {
    type?: 'svg' | 'utf8' | 'terminal';
    errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
    margin?: number;
    width?: number;
    color?: { dark?: string; light?: string };
  }
  /** Renders `text` as a QR code (`type: 'svg'`: an SVG document). */
  function toString(text: string, options?: QRCodeToStringOptions): Promise<string>;
  const QRCode: { toString: typeof toString };
  export default QRCode;
}
