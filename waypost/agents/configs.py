"""Agent configuration shapes and seed 002's defaults."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

DEFAULT_SYSTEM_PROMPT = "You're a helpful assistant."
DEFAULT_COMPRESSION_PROMPT = (
    "<system-hint>You have been working on the task described above but have not yet "
    "completed it. Now write a continuation summary that will allow you to resume work "
    "efficiently in a future context window where the conversation history will be replaced "
    "with this summary. Your summary should be structured, concise, and actionable."
    "</system-hint>"
)
DEFAULT_SUMMARY_TEMPLATE = (
    "<system-info>Here is a summary of your previous work\n# Task Overview\n{task_overview}\n\n"
    "# Current State\n{current_state}\n\n# Important Discoveries\n{important_discoveries}\n\n"
    "# Next Steps\n{next_steps}\n\n# Context to Preserve\n{context_to_preserve}</system-info>"
)
PROVIDERS = ("openai", "anthropic", "scripted")


class _Config(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ChatModelConfig(_Config):
    """Which provider and model, with which credential and parameters."""

    type: Literal["openai", "anthropic", "scripted"]
    credential_id: str | None = None
    model: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)
    base_url: str | None = None
    context_window: int = Field(default=128_000, ge=1_000)


class ContextConfig(_Config):
    """When and how the conversation is compacted into a summary (seed 002 defaults)."""

    trigger_ratio: float = Field(default=0.8, gt=0, le=1)
    reserve_ratio: float = Field(default=0.1, ge=0, lt=1)
    compression_prompt: str = DEFAULT_COMPRESSION_PROMPT
    summary_template: str = DEFAULT_SUMMARY_TEMPLATE
    summary_schema: dict[str, Any] = Field(default_factory=dict)
    tool_result_limit: int = Field(default=3000, ge=100)


class ReactConfig(_Config):
    """The ReAct loop's bounds."""

    max_iters: int = Field(default=20, ge=1, le=10_000)
    stop_on_reject: bool = False


class PermissionRules(_Config):
    """An agent's permission context (see waypost.agents.contexts for what each part does).

    The legacy shape ``{allow, deny, ask}`` (lists of tool names) is read as rules over every
    subject; an allow list without ``*`` becomes plan mode with those tools allowed (what is
    not listed and not read-only is refused, as before).
    """

    mode: Literal["default", "accept_edits", "plan", "bypass"] = "default"
    working_directories: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # an agent with no rules was made to run unattended in its sandbox: everything runs
    allow_rules: dict[str, list[str]] = Field(default_factory=lambda: {"*": ["*"]})
    deny_rules: dict[str, list[str]] = Field(default_factory=dict)
    ask_rules: dict[str, list[str]] = Field(default_factory=dict)
    allow: list[str] | None = Field(default=None, exclude=True)
    deny: list[str] | None = Field(default=None, exclude=True)
    ask: list[str] | None = Field(default=None, exclude=True)
    ask_timeout_seconds: float = Field(default=3600, gt=0, le=7 * 24 * 3600)

    @model_validator(mode="after")
    def _legacy(self) -> PermissionRules:
        if self.allow is not None:
            self.allow_rules = {name: ["*"] for name in self.allow}
            if "*" not in self.allow:
                self.mode = "plan"
        if self.deny is not None:
            self.deny_rules = {name: ["*"] for name in self.deny}
        if self.ask is not None:
            self.ask_rules = {name: ["*"] for name in self.ask}
        return self


class SandboxLimits(_Config):
    """A sandbox's resource limits, checked when the sandbox is created."""

    command_timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    tool_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    max_output_bytes: int = Field(default=100_000, ge=1_000, le=10_000_000)
    cpu_seconds: int = Field(default=60, ge=1, le=3600)
    memory_bytes: int = Field(default=2 * 1024**3, ge=64 * 1024**2, le=64 * 1024**3)
    max_file_bytes: int = Field(default=10 * 1024**2, ge=1024, le=1024**3)
    max_processes: int = Field(default=256, ge=1, le=4096)
