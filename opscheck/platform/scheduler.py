"""Cloud Scheduler gateway: the job that starts the morning run, as the Scheduler API reports it.

"No predictions" downstream is often a run that never started: the job paused, never fired, or
fired into a coordinator that answered with an error. The job's `state`, `last_attempt_time`
("the time the last job attempt started") and `status` ("the response from the target for the
last attempted execution": google.rpc.Status, code 0 when it succeeded) say which, and
`schedule_time` is the next time it fires (https://cloud.google.com/scheduler/docs/reference/rest/
v1/projects.locations.jobs). REST transport, so the endpoint can be a stand-in.
"""

from __future__ import annotations

import functools
from typing import Any, TypedDict

from opscheck.config import Config
from opscheck.platform import auth
from opscheck.platform.channel import Channel, ErrorTranslator, bounded_retry
from opscheck.platform.shapes import Timestamp, utc_timestamp


class JobInfo(TypedDict):
    name: str
    state: str  # ENABLED | PAUSED | DISABLED | UPDATE_FAILED
    schedule: str
    time_zone: str
    target: str  # the URI it calls
    last_attempt_time: Timestamp | None
    status_code: int  # google.rpc.Code of the last attempt: 0 OK
    status_message: str
    schedule_time: Timestamp | None  # the next time it fires (or retries)


class Scheduler:
    """Describes the platform's Cloud Scheduler jobs."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel
        self._errors = ErrorTranslator("scheduler", config)

    @functools.cached_property
    def _client(self) -> Any:
        from google.cloud import scheduler_v1

        endpoint = self._config.endpoints.scheduler
        return scheduler_v1.CloudSchedulerClient(
            credentials=auth.credentials(self._config), transport="rest",
            client_options={"api_endpoint": endpoint} if endpoint else None)

    def job(self, name: str) -> JobInfo:
        """The job's state, schedule, and what its last attempt got back."""
        info: JobInfo = self._channel.call("scheduler", "job", {"job": name}, lambda: self._job(name), shape=JobInfo)
        return info

    def _job(self, name: str) -> JobInfo:
        path = f"projects/{self._config.gcp.project}/locations/{self._config.gcp.region}/jobs/{name}"
        timeout = self._config.endpoints.timeout_seconds
        with self._errors(f"Cloud Scheduler job {name}"):
            job = self._client.get_job(name=path, timeout=timeout, retry=bounded_retry(timeout))
        return {
            "name": name,
            "state": job.state.name,
            "schedule": job.schedule,
            "time_zone": job.time_zone or "UTC",  # "If a time zone is not specified, the default will be in UTC"
            "target": job.http_target.uri if job.http_target else "",
            "last_attempt_time": utc_timestamp(job.last_attempt_time),
            "status_code": int(job.status.code) if job.status else 0,
            "status_message": job.status.message if job.status else "",
            "schedule_time": utc_timestamp(job.schedule_time),
        }
