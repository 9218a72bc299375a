# The official Python MCP SDK, the client that tests/mcp.rs drives `depproof mcp` with
# over standard input/output and over streamable HTTP.
mcp_venv="$tools/mcp"
if [ ! -x "$mcp_venv/bin/python" ] || ! "$mcp_venv/bin/python" -c 'import mcp' 2>/dev/null; then
  python3 -m venv "$mcp_venv"
  "$mcp_venv/bin/pip" install --quiet --disable-pip-version-check mcp==2.3.0
fi
export DEPPROOF_MCP_PYTHON="$mcp_venv/bin/python"
