// The portal's own SSE events (chat/relay.py) read from a fetch() response: the one
// reader the playground and compare both use.
"use strict";

window.portalEvents = {
  // Call handlers[name](data) for each event as it arrives; resolves at the end of the
  // stream, rejects (AbortError) when the fetch is aborted.
  async read(response, handlers) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const dispatch = (block) => {
      let name = "message";
      const data = [];
      block.split("\n").forEach((line) => {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (data.length && handlers[name]) handlers[name](JSON.parse(data.join("\n")));
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
      }
    }
  },
};
