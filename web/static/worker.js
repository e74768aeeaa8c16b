// The explorer's engine: the dio-sim model compiled to WebAssembly, run in
// this worker so that a long hint search never freezes the page.
// Messages in: {id, op, args}; out: {id, result} or {id, error}, plus
// {type: "ready"} once and {type: "progress", states, depth, ms} during a
// hint search.
importScripts("wasm_exec.js");

const go = new Go();
const pending = [];
let ready = false;

function handle(msg) {
  const out = JSON.parse(self.dioSimCall(msg.op, JSON.stringify(msg.args || {})));
  out.id = msg.id;
  self.postMessage(out);
}

self.onmessage = (e) => {
  if (!ready) {
    pending.push(e.data);
    return;
  }
  handle(e.data);
};

WebAssembly.instantiateStreaming(fetch("main.wasm"), go.importObject)
  .then((r) => {
    go.run(r.instance);
    ready = true;
    for (const m of pending.splice(0)) handle(m);
  })
  .catch((err) => self.postMessage({ type: "fatal", error: String(err) }));
