from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from parlour.db import Database
from parlour.settings import Settings


@dataclass
class JobContext:
    db: Database
    settings: Settings
    http: httpx.AsyncClient


Handler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]
