// QR codes from the camera, for pairing a phone. Where the browser reads QR codes itself
// (BarcodeDetector: Chrome on Android and macOS), that is used; elsewhere (Safari on the
// iPhone, Firefox, Chrome on Linux and Windows) jsQR reads them from video frames. jsQR
// is loaded only then, on the first scan, so the crew app does not carry it otherwise.

// canScan says whether this browser may use a camera at all: it needs getUserMedia,
// which only a secure page (https, or localhost) has.
export function canScan() {
  return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

// qrReader resolves to read(video): the text of a QR code in the video's current frame,
// or null.
export async function qrReader() {
  if ('BarcodeDetector' in window) {
    try {
      // Chrome on Linux has the API but no QR format: then it answers [].
      if ((await window.BarcodeDetector.getSupportedFormats()).includes('qr_code')) {
        const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
        return async (video) => {
          const codes = await detector.detect(video);
          return codes.length ? codes[0].rawValue : null;
        };
      }
    } catch { /* fall back to jsQR */ }
  }
  const { default: jsQR } = await import('jsqr');
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return async (video) => {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) return null;
    // At most 640 pixels across: enough for a code that fills part of the picture, and
    // fast enough on an older phone.
    const scale = Math.min(1, 640 / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
    return code ? code.data : null;
  };
}
