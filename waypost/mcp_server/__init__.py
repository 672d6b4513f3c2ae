"""Waypost as an MCP server: tools and resources over Streamable HTTP at ``/mcp``
(:mod:`.endpoint`), and a stdio bridge to it (``waypost mcp``, :mod:`.bridge`).

Named ``mcp_server`` so that ``mcp`` stays the SDK. Nothing is imported here: the
bridge runs in a small process that must not load the server to start.
"""

from __future__ import annotations

MCP_PATH = "/mcp"
