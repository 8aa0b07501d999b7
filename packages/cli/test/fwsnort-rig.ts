/**
 * Real-kernel end-to-end rig (copy of packages/fwsnort/test/support/http-netns.ts; test helpers are not shared across packages): namespace A runs an HTTP server on port 80, namespace B is the client, joined by a
 * veth pair with private addresses from a random 10.x.y.0/24 (so kernel-log lines of this run are unique).
 * Everything is torn down by `destroy()` (call it in afterAll; it is safe after a partial setup).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { createNetns, type Netns, run } from "@fwkit/test-utils";

export interface HttpRig {
  server: Netns;
  client: Netns;
  serverIp: string;
  clientIp: string;
  /** GET `path` from the client; resolves to the HTTP status, or 0 when no answer came within `timeoutS`. */
  get(path: string, timeoutS?: number): Promise<number>;
  /** Kernel log lines (dmesg) of this rig's client address that contain `marker`. */
  kernelLog(marker: string): Promise<string[]>;
  destroy(): Promise<void>;
}

export async function createHttpRig(): Promise<HttpRig> {
  const net = `10.${randomInt(100, 250)}.${randomInt(1, 250)}`;
  const serverIp = `${net}.1`;
  const clientIp = `${net}.2`;
  const tag = randomInt(0, 1e6).toString(36);
  let server: Netns | undefined;
  let client: Netns | undefined;
  let child: ChildProcess | undefined;
  const destroy = async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await server?.destroy();
    await client?.destroy();
  };
  try {
    server = await createNetns("hs");
    client = await createNetns("hc");
    const a = `fwsA${tag}`.slice(0, 15);
    const b = `fwsB${tag}`.slice(0, 15);
    const ok = async (args: string[]) => {
      const r = await run("ip", args);
      if (r.code !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
    };
    await ok(["link", "add", a, "netns", server.name, "type", "veth", "peer", "name", b, "netns", client.name]);
    await ok(["-n", server.name, "addr", "add", `${serverIp}/24`, "dev", a]);
    await ok(["-n", client.name, "addr", "add", `${clientIp}/24`, "dev", b]);
    await ok(["-n", server.name, "link", "set", a, "up"]);
    await ok(["-n", client.name, "link", "set", b, "up"]);
    const script = `require("http").createServer((q,s)=>{s.end("ok "+q.url)}).listen(80,${JSON.stringify(serverIp)},()=>console.log("ready"))`;
    const c = spawn("ip", ["netns", "exec", server.name, process.execPath, "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = c;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("http server did not start")), 10_000);
      c.stdout?.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) {
          clearTimeout(t);
          resolve();
        }
      });
      c.on("exit", (code) => reject(new Error(`http server exited ${code}`)));
    });
  } catch (e) {
    await destroy();
    throw e;
  }
  const cl = client;
  return {
    server,
    client,
    serverIp,
    clientIp,
    async get(path, timeoutS = 2) {
      const r = await cl.exec(
        "curl",
        ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", String(timeoutS), `http://${serverIp}${path}`],
        {
          timeoutMs: (timeoutS + 5) * 1000,
        },
      );
      return r.code === 0 ? Number(r.stdout) : 0;
    },
    async kernelLog(marker) {
      const r = await run("dmesg", []);
      return r.stdout.split("\n").filter((l) => l.includes(`SRC=${clientIp} `) && l.includes(marker));
    },
    destroy,
  };
}
