// The demo service that examples/vigil.yaml supervises: a tiny HTTP server on 127.0.0.1:$PORT.
// GET /health answers {"status":"healthy"}; GET /crash makes it exit(1), to watch Vigil restart it;
// GET /hang blocks its event loop, to watch the health check notice and Vigil restart it.
import http from "node:http";

const port = Number(process.env.PORT ?? 7071);
const started = Date.now();

const server = http.createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "healthy", uptime_ms: Date.now() - started }));
  } else if (req.url === "/crash") {
    res.end("crashing\n");
    console.error("asked to crash; exiting with 1");
    setTimeout(() => process.exit(1), 10);
  } else if (req.url === "/hang") {
    res.end("hanging\n");
    console.error("asked to hang; blocking the event loop");
    setTimeout(() => {
      for (;;);
    }, 10);
  } else {
    res.end("hello from the Vigil demo service\n");
  }
});

server.listen(port, "127.0.0.1", () => console.log(`demo service listening on http://127.0.0.1:${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
