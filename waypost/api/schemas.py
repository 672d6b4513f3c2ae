"""Request and response shapes: requests accept camelCase and snake_case, responses snake_case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from waypost.bounds import MAX_TIMEOUT_SECONDS, MAX_TTL_SECONDS

T = TypeVar("T")
N = TypeVar("N", int, float)


class RequestModel(BaseModel):
    """Base for bodies: both spellings accepted, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_max_length=100_000
    )


class ListPage(BaseModel, Generic[T]):
    """The one list shape: ``{"data": [...], "total": n, "next_cursor": ...}``."""

    data: list[T]
    total: int
    next_cursor: str | None


class ErrorBody(BaseModel):
    """Every error: a stable code and a human message."""

    error: str
    message: str


# --- fields shared by inboxes, waits and workflows: one rule wherever a field appears ----------


def _between(name: str, low: N, high: N) -> Callable[[N], N]:
    """A range check worded like the services: ``timeout_seconds must be between 1 and 3600``."""

    def check(value: N) -> N:
        if not low <= value <= high:  # also refuses NaN
            raise PydanticCustomError(
                "out_of_range",
                "{name} must be between {low} and {high}",
                {"name": name, "low": low, "high": high},
            )
        return value

    return check


def _documented(low: float, high: float) -> Any:
    return Field(json_schema_extra={"minimum": low, "maximum": high})


TimeoutSeconds = Annotated[
    int,
    _documented(1, MAX_TIMEOUT_SECONDS),
    AfterValidator(_between("timeout_seconds", 1, MAX_TIMEOUT_SECONDS)),
]
TtlSeconds = Annotated[
    int,
    _documented(1, MAX_TTL_SECONDS),
    AfterValidator(_between("ttl_seconds", 1, MAX_TTL_SECONDS)),
]
ConfidenceThreshold = Annotated[
    float, _documented(0, 1), AfterValidator(_between("confidence_threshold", 0, 1))
]
Username = Annotated[str, Field(max_length=64)]
MailDomain = Annotated[str, Field(max_length=253)]


# --- sessions -----------------------------------------------------------------------------------


class SessionCreate(RequestModel):
    name: str | None = Field(default=None, max_length=500)
    metadata: dict[str, Any] = Field(default_factory=dict)
    agent_id: str | None = None
    workspace_id: str | None = None
    # a team's session: its agent is the team's leader
    team_id: str | None = Field(default=None, max_length=40)


class SessionEnd(RequestModel):
    reason: str | None = Field(default=None, max_length=2000)


SessionStatus = Literal["active", "completed", "failed", "interrupted"]


class SessionConfigOut(BaseModel):
    """Seed 002's session config: the workspace, the name and the agent's model configs
    (plus the agent's id, prompt and loop configs). Nulls for a session without an agent."""

    workspace_id: str | None = None
    name: str | None = None
    chat_model_config: dict[str, Any] | None = None
    fallback_chat_model_config: dict[str, Any] | None = None
    agent_id: str | None = None
    system_prompt: str | None = None
    context_config: dict[str, Any] | None = None
    react_config: dict[str, Any] | None = None


class UsageOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    input_tokens: int = 0
    output_tokens: int = 0


class ContextItemOut(BaseModel):
    """A message the model currently sees: ``name`` is its role, every block has an ``id``."""

    name: str
    content: list[dict[str, Any]]
    id: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    finished_at: datetime | None
    usage: UsageOut


class SessionStateOut(BaseModel):
    """Seed 002's runtime state. ``context`` is filled by ``GET /sessions/{id}`` only: list
    items carry ``[]`` (their messages are not loaded); ``reply_id`` is set in both."""

    model_config = ConfigDict(extra="allow")

    session_id: str
    summary: str = ""
    context: list[ContextItemOut] = Field(default_factory=list)
    reply_id: str | None = None
    cur_iter: int = 0
    permission_context: dict[str, Any]
    tool_context: dict[str, Any]
    tasks_context: dict[str, Any] = Field(default_factory=lambda: {"tasks": []})


class TeamDataOut(BaseModel):
    name: str
    description: str
    member_ids: list[str]


class TeamRecordOut(BaseModel):
    user_id: str
    session_id: str
    data: TeamDataOut
    id: str
    updated_at: datetime
    created_at: datetime


class AgentDataOut(BaseModel):
    name: str
    context_config: dict[str, Any]
    react_config: dict[str, Any]
    id: str
    system_prompt: str


class AgentRecordOut(BaseModel):
    user_id: str
    data: AgentDataOut
    id: str
    updated_at: datetime
    created_at: datetime
    source: str = "user"


class TeamMemberOut(BaseModel):
    agent: AgentRecordOut
    session_id: str | None  # the member's latest session delegated from this one


class TeamViewOut(BaseModel):
    team: TeamRecordOut
    leader_agent: AgentRecordOut | None  # None only if the leader agent was deleted
    members: list[TeamMemberOut]


class SessionOut(BaseModel):
    id: str
    name: str | None
    status: SessionStatus
    metadata: dict[str, Any]
    agent_id: str | None
    sandbox_id: str | None
    source: str | None
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    is_running: bool = False
    # seed 002's session view
    user_id: str
    workspace_id: str | None = None
    team_id: str | None = None
    source_schedule_id: str | None = None
    parent_session_id: str | None = None
    replay_of: str | None = None  # the session this one retries, re-executes or forks
    config: SessionConfigOut
    state: SessionStateOut
    team: TeamViewOut | None = None


class SessionCounts(BaseModel):
    inboxes: int
    emails: int
    waits: int
    extractions: int
    events: int


class SessionDetailOut(SessionOut):
    inboxes: list[str]
    waits: list[str]
    extractions: list[str]
    counts: SessionCounts


class GatewaySessionRecord(BaseModel):
    """The session record of seed 002, as its own API nests it."""

    user_id: str
    agent_id: str | None
    config: SessionConfigOut
    id: str
    updated_at: datetime
    created_at: datetime
    source: str
    source_schedule_id: str | None
    team_id: str | None
    state: SessionStateOut


class GatewaySessionView(BaseModel):
    session: GatewaySessionRecord
    is_running: bool
    team: TeamViewOut | None


class GatewaySessionList(BaseModel):
    """``GET /sessions?agent_id=…`` in trusted-gateway mode: seed 002's own envelope."""

    sessions: list[GatewaySessionView]
    total: int


# --- workspaces ---------------------------------------------------------------------------------


class WorkspaceCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)


class WorkspaceUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)


class WorkspaceOut(BaseModel):
    id: str
    user_id: str
    name: str
    description: str
    created_at: datetime
    updated_at: datetime


class EventOut(BaseModel):
    id: str
    seq: int | None
    type: str
    timestamp: datetime
    description: str
    session_id: str | None
    data: dict[str, Any]


class TimelineOut(BaseModel):
    session_id: str
    events: list[EventOut]


# --- inboxes and emails -------------------------------------------------------------------------


class InboxCreate(RequestModel):
    username: Username | None = None
    domain: MailDomain | None = None
    ttl_seconds: TtlSeconds | None = None
    session_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class InboxOut(BaseModel):
    id: str
    email_address: str
    session_id: str | None
    metadata: dict[str, Any]
    created_at: datetime
    expires_at: datetime


class AddressOut(BaseModel):
    name: str
    address: str


class EmailSummaryOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    id: str
    inbox_id: str
    from_: str = Field(alias="from")
    subject: str
    date: datetime | None
    message_id: str | None
    size: int
    received_at: datetime


class HeaderOut(BaseModel):
    name: str
    value: str


class AttachmentOut(BaseModel):
    index: int
    filename: str | None
    content_type: str
    size: int
    content_id: str | None
    inline: bool


class EmailOut(EmailSummaryOut):
    mail_from: str
    from_addresses: list[AddressOut]
    to: list[AddressOut]
    cc: list[AddressOut]
    reply_to: list[AddressOut]
    headers: list[HeaderOut]
    text: str | None
    html: str | None
    attachments: list[AttachmentOut]
    defects: list[str]


# --- waits, extractions, workflows, replay ------------------------------------------------------


class WaitCriteria(RequestModel):
    from_: str | None = Field(default=None, alias="from", max_length=320)
    subject_contains: str | None = Field(default=None, max_length=1000)

    def as_dict(self) -> dict[str, str]:
        """The criteria as the waits service stores them (``from``, ``subject_contains``)."""
        values = {"from": self.from_, "subject_contains": self.subject_contains}
        return {k: v for k, v in values.items() if v}


class AssistIn(RequestModel):
    """Model-assisted extraction (off unless given): asked when the rules' confidence is
    below ``threshold``; its answer is kept only if it is found in the mail."""

    credential_id: str = Field(max_length=64)
    model: str = Field(min_length=1, max_length=200)
    threshold: Annotated[
        float, _documented(0, 1), AfterValidator(_between("assist.threshold", 0, 1))
    ] = 0.5


class AssistSpecOut(BaseModel):
    credential_id: str
    model: str
    threshold: float


class AssistOut(BaseModel):
    """What came of the model call: accepted, refused (not in the mail), no_answer, error."""

    model: str
    outcome: Literal["accepted", "refused", "no_answer", "error"]
    reason: str | None = None
    latency_ms: int


Method = Literal["rules", "model"]


class WaitCreate(RequestModel):
    inbox_id: str
    type: str = "any"
    timeout_seconds: TimeoutSeconds | None = None
    criteria: WaitCriteria | None = None
    after: str | None = Field(default=None, max_length=64)
    confidence_threshold: ConfidenceThreshold | None = None
    assist: AssistIn | None = None


class CandidateOut(BaseModel):
    value: str
    confidence: float
    reason: str


class ResultOut(BaseModel):
    type: str
    value: str | None
    confidence: float
    email_id: str | None
    candidates: list[CandidateOut] = Field(default_factory=list)
    method: Method = "rules"
    assist: AssistOut | None = None


WaitStatus = Literal["pending", "completed", "timed_out", "cancelled"]


class WaitOut(BaseModel):
    id: str
    inbox_id: str
    session_id: str | None
    type: str
    status: WaitStatus
    criteria: dict[str, Any]
    timeout_seconds: int
    confidence_threshold: float
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None
    result: ResultOut | None
    assist: AssistSpecOut | None = None


class ExtractRequest(RequestModel):
    type: str = "auto"
    assist: AssistIn | None = None


class RawExtractRequest(RequestModel):
    """Either ``raw`` (a whole RFC 5322 message) or its parts."""

    type: str = "auto"
    raw: str | None = None
    subject: str | None = None
    from_: str | None = Field(default=None, alias="from")
    text: str | None = None
    html: str | None = None
    session_id: str | None = None
    assist: AssistIn | None = None
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_max_length=12_000_000
    )


class ExtractionOut(BaseModel):
    id: str
    email_id: str | None
    session_id: str | None
    wait_id: str | None
    type: str
    value: str | None
    confidence: float
    candidates: list[CandidateOut]
    created_at: datetime
    method: Method = "rules"
    assist: AssistOut | None = None


class WorkflowCreate(RequestModel):
    """The inbox's fields and the wait's, with the same types and ranges as on their own."""

    wait_type: str | None = None
    timeout_seconds: TimeoutSeconds | None = None
    ttl_seconds: TtlSeconds | None = None
    session_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    username: Username | None = None
    domain: MailDomain | None = None
    criteria: WaitCriteria | None = None
    confidence_threshold: ConfidenceThreshold | None = None
    assist: AssistIn | None = None
    respond: Literal["wait", "immediately"] = "wait"
    fail_at: str | None = None


class WorkflowSessionOut(BaseModel):
    id: str
    name: str | None
    status: SessionStatus


class WorkflowOut(BaseModel):
    inbox: InboxOut
    wait: WaitOut
    session: WorkflowSessionOut | None


class ReplayStep(BaseModel):
    seq: int | None
    type: str
    timestamp: datetime
    description: str
    input: dict[str, Any]
    output: dict[str, Any]


class ReplayCreate(RequestModel):
    """``POST /api/v1/sessions/{id}/replay``: one mode and its options."""

    mode: Literal["retry", "reexecute", "fork"]
    respond: Literal["immediately"] | None = None  # retry
    username: str | None = Field(default=None, max_length=64)  # retry: the new inbox's name
    step: int | None = Field(default=None, ge=0, le=2**62)  # fork: last step kept (a seq)
    agent_id: str | None = None  # fork
    chat_model_config: dict[str, Any] | None = None  # fork
    system_prompt: str | None = Field(default=None, max_length=100_000)  # fork
    model: Literal["recorded", "agent"] | None = None  # reexecute


class ReplayOut(BaseModel):
    session_id: str
    steps: list[ReplayStep]


# --- credentials, agents, sandboxes --------------------------------------------------------------


class CredentialCreate(RequestModel):
    provider: str
    name: str = Field(min_length=1, max_length=200)
    secret: str = Field(min_length=1, max_length=10_000)
    base_url: str | None = Field(default=None, max_length=2000)


class CredentialOut(BaseModel):
    """Never the secret: only that one is stored."""

    id: str
    provider: str
    name: str
    base_url: str | None
    has_secret: bool = True
    created_at: datetime


class AgentCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    system_prompt: str | None = Field(default=None, max_length=200_000)
    chat_model_config: dict[str, Any]
    fallback_chat_model_config: dict[str, Any] | None = None
    context_config: dict[str, Any] | None = None
    react_config: dict[str, Any] | None = None
    tools: list[str] | None = None
    # tool groups offered at a session's start (files, shell, mail, tasks, team); null: all
    tool_groups: list[str] | None = None
    permissions: dict[str, Any] | None = None
    is_default: bool = False
    workspace_id: str | None = None


class AgentUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    system_prompt: str | None = Field(default=None, max_length=200_000)
    chat_model_config: dict[str, Any] | None = None
    fallback_chat_model_config: dict[str, Any] | None = None
    context_config: dict[str, Any] | None = None
    react_config: dict[str, Any] | None = None
    tools: list[str] | None = None
    # tool groups offered at a session's start (files, shell, mail, tasks, team); null: all
    tool_groups: list[str] | None = None
    permissions: dict[str, Any] | None = None
    is_default: bool | None = None
    workspace_id: str | None = None  # an explicit null takes the agent out of its workspace


class AgentOut(BaseModel):
    id: str
    name: str
    system_prompt: str
    chat_model_config: dict[str, Any]
    fallback_chat_model_config: dict[str, Any] | None
    context_config: dict[str, Any]
    react_config: dict[str, Any]
    tools: list[str] | None
    tool_groups: list[str] | None = None
    permissions: dict[str, Any]
    workspace_id: str | None = None
    created_at: datetime
    updated_at: datetime


class SandboxCreate(RequestModel):
    name: str | None = Field(default=None, max_length=200)
    limits: dict[str, Any] = Field(default_factory=dict)
    agent_id: str | None = None
    workspace_id: str | None = None


class SandboxUpdate(RequestModel):
    agent_id: str | None = None


class SandboxOut(BaseModel):
    id: str
    name: str | None
    limits: dict[str, Any]
    agent_id: str | None
    workspace_id: str | None = None
    created_at: datetime


class SandboxSessionCreate(RequestModel):
    metadata: dict[str, Any] = Field(default_factory=dict)
    agent_id: str | None = None
    name: str | None = Field(default=None, max_length=500)
    workspace_id: str | None = None  # default: the sandbox's workspace
    team_id: str | None = None  # a team's session: it runs the team's leader


class MessageOut(BaseModel):
    id: str
    session_id: str
    role: str
    content: list[dict[str, Any]]
    timestamp: datetime
    usage: dict[str, int] | None


def _snake_image_blocks(content: list[dict[str, Any]] | str) -> list[dict[str, Any]] | str:
    """Image blocks may spell ``mediaType``; they are stored (and sent on) as ``media_type``."""
    if isinstance(content, str):
        return content
    blocks = []
    for block in content:
        if block.get("type") == "image" and "mediaType" in block:
            block = dict(block)
            spelled = block.pop("mediaType")
            block.setdefault("media_type", spelled)
        blocks.append(block)
    return blocks


class MessageCreate(RequestModel):
    role: Literal["user"] = "user"
    content: Annotated[list[dict[str, Any]] | str, AfterValidator(_snake_image_blocks)]


class ApprovalDecision(RequestModel):
    decision: Literal["approve", "reject"]
    # approve this call from now on: an allow rule for exactly it joins the session's rules
    remember: bool = False


class AgentSessionOut(SessionDetailOut):
    """An agent session (seeds 002, 003): its messages, configs, runtime state, is_running."""

    messages: list[MessageOut]


class ReplayResult(BaseModel):
    """The new session, its original, and (reexecute) the first divergence from the record."""

    model_config = ConfigDict(extra="allow")

    session: AgentSessionOut | SessionDetailOut
    replay_of: str
    divergence: dict[str, Any] | None
