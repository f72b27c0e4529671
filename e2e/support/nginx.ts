// A real nginx (Debian's package) in front of a server, as operators run it: TLS terminated with a
// self-signed certificate made by openssl for this run, and the forwarded headers nginx sends
// (X-Forwarded-For / -Proto / -Host). Everything lives in a temporary folder; nothing is installed.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p)) ?? null;

export interface TlsProxy {
  /** `https://localhost:PORT` */
  url: string;
  /** The certificate, for clients that want to trust it. */
  certPem: string;
  output(): string;
  stop(): Promise<void>;
}

export interface TlsProxyOptions {
  /** Where nginx listens (127.0.0.1). */
  port: number;
  /** The app it forwards to, e.g. `http://127.0.0.1:8380`. */
  upstream: string;
}

function waitForPort(port: number, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (exited()) return reject(new Error("nginx exited during start-up"));
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve()));
      s.once("error", () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** Runs nginx with `conf` from folder `dir` (removed on stop) until it listens on `port`. */
async function runNginx(bin: string, dir: string, conf: string, port: number): Promise<{ output(): string; stop(): Promise<void> }> {
  writeFileSync(path.join(dir, "nginx.conf"), conf);
  const child: ChildProcess = spawn(bin, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off; user root;"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (s) => (output += s));
  child.stderr!.on("data", (s) => (output += s));
  let exited = false;
  const done = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  try {
    await waitForPort(port, 15_000, () => exited);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}:\n${output}`);
  }
  return {
    output: () => output,
    async stop() {
      if (!exited) child.kill("SIGQUIT");
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts nginx terminating TLS on 127.0.0.1:port and forwarding to upstream. */
export async function startTlsProxy(options: TlsProxyOptions): Promise<TlsProxy> {
  if (!NGINX) throw new Error("nginx is not installed (apt-get install nginx)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "artdag-nginx-"));
  chmodSync(dir, 0o755);
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  chmodSync(key, 0o644);
  // The site block an operator writes (README, "Behind a reverse proxy"); the rest is what a
  // throwaway nginx needs to run from a folder of its own.
  const conf = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 2m;
  server {
    listen 127.0.0.1:${options.port} ssl;
    server_name localhost;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    location / {
      proxy_pass ${options.upstream};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Request-Id $request_id;
      proxy_set_header Connection "";
    }
  }
}
`;
  const nginx = await runNginx(NGINX, dir, conf, options.port);
  return {
    url: `https://localhost:${options.port}`,
    certPem: readFileSync(cert, "utf8"),
    output: nginx.output,
    stop: nginx.stop,
  };
}

export interface CachingProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx on 127.0.0.1:port as a caching reverse proxy (proxy_cache) in front of several
 * replicas, as a production deployment puts one: it keeps what the app marks public for as long as
 * its Cache-Control says, revalidates with the ETag, never caches a request with credentials, and
 * reports what it did in `X-Cache-Status` (HIT, MISS, EXPIRED, REVALIDATED, BYPASS).
 */
export async function startCachingProxy(options: { port: number; upstreams: string[] }): Promise<CachingProxy> {
  if (!NGINX) throw new Error("nginx is not installed (apt-get install nginx)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "artdag-nginx-cache-"));
  chmodSync(dir, 0o755);
  const conf = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=artdag:10m max_size=100m inactive=10m use_temp_path=off;
  upstream artdag {
${options.upstreams.map((u) => `    server ${u.replace(/^http:\/\//, "")};`).join("\n")}
    keepalive 8;
  }
  server {
    listen 127.0.0.1:${options.port};
    location / {
      proxy_pass http://artdag;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Connection "";
      proxy_cache artdag;
      proxy_cache_revalidate on;
      proxy_cache_lock on;
      proxy_cache_bypass $http_cookie $http_authorization;
      proxy_no_cache $http_cookie $http_authorization;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`;
  const nginx = await runNginx(NGINX, dir, conf, options.port);
  return {
    url: `http://127.0.0.1:${options.port}`,
    output: () => nginx.output() + (existsSync(path.join(dir, "error.log")) ? readFileSync(path.join(dir, "error.log"), "utf8") : ""),
    stop: nginx.stop,
  };
}
