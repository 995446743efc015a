"""What operators and field cadres ask for, and how each request is carried out on the aggregates.

Each command names the aggregates it needs (``needs()``, so the caller can load them in one go)
and then runs against a workspace that holds them (``run(ws, org, stamp)``). The rules are the
aggregates'; checks come before changes, so a rejected command changes nothing. The commands live
in one module per topic and are all imported from here::

    from pingzhan.domain import commands as c
    c.SwitchToWartime("street:BT-QG", "II", "rain").run(ws, org, stamp)
"""

from __future__ import annotations

from pingzhan.domain.duty_commands import (
    CloseCheckpoint,
    DispatchCadre,
    EstablishCheckpoint,
    RecallCadre,
    RegisterCadre,
    RelieveCheckpoint,
    StaffCheckpoint,
)
from pingzhan.domain.incident_commands import AssignHazardTask, FinishHazardTask, ReportHazard, ResolveHazard
from pingzhan.domain.mode_commands import (
    ChangeLevel,
    ConfirmSwitch,
    SwitchToPeacetime,
    SwitchToWartime,
    VoidSwitch,
)
from pingzhan.domain.peacetime_commands import (
    CheckIn,
    CheckOut,
    CollectOpinion,
    Inspect,
    RateCadre,
    RecordRegistration,
    ServeAsVolunteer,
    VerifyInformation,
    VisitHousehold,
)
from pingzhan.domain.problem_commands import (
    AcknowledgeProblem,
    EscalateProblem,
    ForwardProblem,
    ReopenProblem,
    ReportBackOnProblem,
    ReportProblem,
    ResolveProblem,
)
from pingzhan.domain.workspace import Workspace

Command = (
    RegisterCadre
    | DispatchCadre
    | RecallCadre
    | EstablishCheckpoint
    | StaffCheckpoint
    | RelieveCheckpoint
    | CloseCheckpoint
    | ReportHazard
    | ResolveHazard
    | SwitchToWartime
    | ChangeLevel
    | ConfirmSwitch
    | SwitchToPeacetime
    | VoidSwitch
    | CheckIn
    | CheckOut
    | VisitHousehold
    | VerifyInformation
    | CollectOpinion
    | ServeAsVolunteer
    | RateCadre
    | Inspect
    | RecordRegistration
    | ReportProblem
    | EscalateProblem
    | AcknowledgeProblem
    | ForwardProblem
    | ReportBackOnProblem
    | ReopenProblem
    | ResolveProblem
    | AssignHazardTask
    | FinishHazardTask
)

__all__ = [
    "AcknowledgeProblem",
    "AssignHazardTask",
    "ChangeLevel",
    "CheckIn",
    "CheckOut",
    "CloseCheckpoint",
    "CollectOpinion",
    "Command",
    "ConfirmSwitch",
    "DispatchCadre",
    "EscalateProblem",
    "EstablishCheckpoint",
    "FinishHazardTask",
    "ForwardProblem",
    "Inspect",
    "RateCadre",
    "RecallCadre",
    "RecordRegistration",
    "RegisterCadre",
    "RelieveCheckpoint",
    "ReopenProblem",
    "ReportBackOnProblem",
    "ReportHazard",
    "ReportProblem",
    "ResolveHazard",
    "ResolveProblem",
    "ServeAsVolunteer",
    "StaffCheckpoint",
    "SwitchToPeacetime",
    "SwitchToWartime",
    "VerifyInformation",
    "VisitHousehold",
    "VoidSwitch",
    "Workspace",
]
