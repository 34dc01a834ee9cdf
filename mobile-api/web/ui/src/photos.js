// Photos from the phone's camera: made smaller before upload (the server caps them at
// 2048 px anyway), which saves the crew's data bundle and the offline queue's space.
const MAX_SIDE = 2048;

// shrink returns a JPEG Blob at most MAX_SIDE pixels on its longest side, or null when
// the file is not a picture the browser can read (a document chosen by mistake): the
// server could not read it either, so the phone says so at once.
export async function shrink(file) {
  let bmp;
  try {
    bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return null;
  }
  try {
    const scale = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
    if (scale === 1 && file.type === 'image/jpeg' && file.size < 3 << 20) {
      bmp.close();
      return file;
    }
    const w = Math.round(bmp.width * scale);
    const h = Math.round(bmp.height * scale);
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d').drawImage(bmp, 0, 0, w, h);
    bmp.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob || file;
  } catch {
    return file;
  }
}
