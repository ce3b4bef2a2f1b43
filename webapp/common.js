// Shared by the demo pages: a log that stamps each entry with seconds since the demo started.
export function makeLog(element) {
  let started = performance.now();
  return {
    restart() { started = performance.now(); element.replaceChildren(); },
    add(text) {
      const line = document.createElement('div');
      const at = document.createElement('span');
      at.className = 'at';
      at.textContent = ((performance.now() - started) / 1000).toFixed(2) + ' s';
      line.append(at, document.createTextNode(text));
      element.append(line);
      return line;
    },
  };
}

// Reads a streamed response body and calls onLine with each complete, non-empty line as soon as it arrives.
export async function readLines(response, onLine) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += value;
    const lines = pending.split('\n');
    pending = lines.pop();
    lines.filter(line => line.trim() !== '').forEach(onLine);
  }
  if (pending.trim() !== '') onLine(pending);
}
