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
