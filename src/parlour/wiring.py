"""Connects the in-transaction reactions across domains, once per process.

conversations → switchboard: every stored message passes through the switchboard.
switchboard → tickets: the agent workspace is the built-in integration behind `zd:agentWorkspace`.
switchboard → ai_agent: the AI agent is the built-in integration behind `zd:answerBot`.
"""

from parlour.ai_agent.agent import AiAgent
from parlour.conversations import listeners
from parlour.switchboard import actions as switchboard_actions
from parlour.switchboard import builtin
from parlour.tickets.workspace import AgentWorkspace


def install() -> None:
    listeners.on_message(switchboard_actions.on_message)
    if builtin.handler_for(builtin.AGENT_WORKSPACE) is None:
        builtin.register(builtin.AGENT_WORKSPACE, AgentWorkspace())
    if builtin.handler_for(builtin.AI_AGENT) is None:
        builtin.register(builtin.AI_AGENT, AiAgent())
