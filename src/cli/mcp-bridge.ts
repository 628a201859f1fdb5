import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/**
 * `keyward mcp`: for MCP clients that only speak stdio. Every JSON-RPC message read on stdin is forwarded to the
 * Streamable HTTP endpoint with the key, and every answer is written to stdout. The key is checked there, on each
 * request, exactly as for any other client.
 */
export async function bridgeStdioToHttp(url: string, key: string): Promise<void> {
  const remote = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  })
  const local = new StdioServerTransport()
  const report = (error: Error) => process.stderr.write(`keyward mcp: ${error.message}\n`)

  local.onmessage = (message: JSONRPCMessage) => {
    remote.send(message).catch((error: Error) => {
      report(error)
      // A request must get an answer, or the client waits forever.
      if ('id' in message && 'method' in message) {
        void local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: error.message } })
      }
    })
  }
  remote.onmessage = (message) => void local.send(message)
  remote.onerror = report
  local.onclose = () => void remote.close()
  await remote.start()
  await local.start()
}
