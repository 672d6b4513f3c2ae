"""A one-node LangGraph graph for bench/versus.py: answers the last user message with itself.

Loaded by ``langgraph dev`` (see langgraph.json beside it) inside the scratch venv that
bench/versus.py installs; no model call, no network. The node is ``async`` so that the
server runs it on its event loop rather than in a thread.
"""

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, MessagesState, StateGraph


async def echo(state: MessagesState) -> dict[str, list[AIMessage]]:
    """Echo the last message's content back as the AI's answer."""
    return {"messages": [AIMessage(content=state["messages"][-1].content)]}


builder = StateGraph(MessagesState)
builder.add_node("echo", echo)
builder.add_edge(START, "echo")
builder.add_edge("echo", END)
graph = builder.compile()
