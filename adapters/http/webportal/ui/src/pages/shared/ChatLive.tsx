import { useEffect, useRef } from "react";
import { api, call, type Schemas } from "../../api/client";

export type Message = Schemas["MessageResponse"];

// useLive keeps the live WebSocket (GET /v1/ws) open while mounted and hands
// each chat message to onMessage. It asks for a single-use ticket before
// every (re)connection and resumes after the last message it received, so
// nothing is lost across a disconnect; it backs off up to 30 s between tries.
export function useLive(onMessage: (m: Message) => void, onState?: (live: boolean) => void) {
  const cb = useRef(onMessage);
  const st = useRef(onState);
  cb.current = onMessage;
  st.current = onState;
  useEffect(() => {
    let ws: WebSocket | undefined;
    let stopped = false;
    let last: string | undefined;
    let delay = 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = async () => {
      if (stopped) return;
      try {
        const t = await call(api.POST("/v1/ws/tickets"));
        if (stopped) return;
        const proto = location.protocol === "https:" ? "wss:" : "ws:";
        const q = new URLSearchParams({ ticket: t.ticket });
        if (last) q.set("after", last);
        ws = new WebSocket(`${proto}//${location.host}/v1/ws?${q}`);
        ws.onmessage = (ev) => {
          let f: { type?: string; message?: Message };
          try {
            f = JSON.parse(String(ev.data));
          } catch {
            return;
          }
          if (f.type === "ready") {
            delay = 1000;
            st.current?.(true);
          } else if (f.type === "message" && f.message) {
            last = f.message.id;
            cb.current(f.message);
          }
        };
        ws.onclose = () => {
          st.current?.(false);
          retry();
        };
      } catch {
        retry();
      }
    };
    const retry = () => {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(() => void connect(), delay);
      delay = Math.min(delay * 2, 30_000);
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      if (ws) {
        ws.onclose = null;
        ws.close(1000);
      }
    };
  }, []);
}
