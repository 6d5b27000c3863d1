"""schemathesis hooks of schemathesis_test.py (loaded through SCHEMATHESIS_HOOKS).

POST /api/queue/pause really pauses: a generated pause of the whole queue (no body, {}, {"type": null}) or
of a type the server's jobs have would hold back every job created after it, and an event stream of such a
job (GET /api/jobs/{id}/events) stays open until the job ends, so the run would wait for ever (it did: 15
minutes before it was stopped). Every pause the run sends that the server would accept names a type of its
own instead, so the checks still see the route's answers; requests that must be refused are left as
generated. What a pause does is tested in Swift (Tests/QuaeroQueueTests/Flow, Tests/QuaeroHTTPTests).
"""

import schemathesis
from schemathesis.core import NOT_SET

PAUSED_TYPE = "schemathesis_paused"


@schemathesis.hook
def before_call(context, case, **kwargs):
    if case.path != "/api/queue/pause" or case.method.upper() != "POST":
        return
    if case.body is NOT_SET:
        case.body = {"type": PAUSED_TYPE}
    elif isinstance(case.body, dict):
        kind = case.body.get("type")
        # Absent or null pauses the whole queue; a non-empty string pauses that type. Anything else is refused.
        if kind is None or (isinstance(kind, str) and kind != ""):
            case.body["type"] = PAUSED_TYPE
