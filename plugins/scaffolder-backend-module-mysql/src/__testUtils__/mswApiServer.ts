import { getResponse, RequestHandler } from 'msw';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * Serves msw handlers on a real loopback port. @kubernetes/client-node 2
 * sends requests through its own undici, which msw's interceptors cannot
 * see, so the fake API server has to be a real one.
 */
export async function startMswApiServer(handlers: RequestHandler[]) {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: ['GET', 'HEAD'].includes(req.method!) ? undefined : body,
    });
    const response = await getResponse(handlers, request);
    if (!response || response.type === 'error') {
      // Like a server that dies mid-request: the client sees a network error.
      req.socket.destroy();
      return;
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

/** A Kubernetes API error body (metav1.Status). */
export function kubeStatus(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason,
    message,
    code,
  };
}
