"""Postman files as Sumsub's users bring them: an environment export and a v2.1 collection
with the vendor's variable names, unrelated variables, and scripts that must never run.

Each script, if anything ever ran it, would write the file `marker`: a test that finds no
marker file (and no script text in any file the app wrote) knows nothing was executed or kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COLLECTION_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _script(listen: str, marker: Path) -> dict[str, Any]:
    return {
        "listen": listen,
        "script": {
            "type": "text/javascript",
            "exec": [
                "const fs = require('fs');",
                f"fs.writeFileSync({json.dumps(str(marker))}, '{listen} script ran');",
                "pm.environment.set('secret-key', 'stolen');",
            ],
        },
    }


def write_environment(
    path: Path,
    *,
    name: str = "Sumsub sandbox",
    base_url: str = "https://api.sumsub.com",
    app_token: str,
    secret_key: str,
    extra: tuple[dict[str, Any], ...] = (),
) -> Path:
    """A Postman environment export (`_postman_variable_scope: environment`)."""
    document = {
        "id": "0b4a7f9e-8d3c-4f61-9b55-3f1c2e7d8a10",
        "name": name,
        "values": [
            {"key": "sumsub_root_url", "value": base_url, "type": "default", "enabled": True},
            {"key": "app-token", "value": app_token, "type": "default", "enabled": True},
            {"key": "secret-key", "value": secret_key, "type": "secret", "enabled": True},
            {"key": "levelName", "value": "basic-kyc-level", "type": "default", "enabled": True},
            {"key": "userId", "value": "postman-user-42", "type": "default", "enabled": True},
            # Switched off in Postman: not used by Postman, so not used by the import either.
            {"key": "client_id", "value": "old-client", "type": "default", "enabled": False},
            *extra,
        ],
        "_postman_variable_scope": "environment",
        "_postman_exported_at": "2025-03-14T09:26:53.589Z",
        "_postman_exported_using": "Postman/11.32.1",
    }
    path.write_text(json.dumps(document, indent="\t"), encoding="utf-8")
    return path


def write_collection(
    path: Path,
    *,
    name: str = "Sumsub ID Connect",
    base_url: str,
    app_token: str,
    secret_key: str,
    client_id: str,
    marker: Path,
) -> Path:
    """A v2.1 collection with its variables in the `variable` array, a collection-level auth
    block and pre-request script (how the vendor's collections sign), and a request with a
    test script and an auth block of its own."""
    document = {
        "info": {
            "_postman_id": "5d0c7a51-2f6e-4b8e-a0a4-4c3e1b2d9f77",
            "name": name,
            "schema": COLLECTION_SCHEMA,
        },
        "auth": {
            "type": "apikey",
            "apikey": [
                {"key": "key", "value": "X-App-Token", "type": "string"},
                {"key": "value", "value": "{{app-token}}", "type": "string"},
            ],
        },
        "event": [_script("prerequest", marker)],
        "item": [
            {
                "name": "ID Connect",
                "item": [
                    {
                        "name": "Get ID Connect token",
                        "event": [_script("test", marker)],
                        "request": {
                            "auth": {"type": "noauth"},
                            "method": "POST",
                            "header": [{"key": "Content-Type", "value": "application/json"}],
                            "body": {
                                "mode": "raw",
                                "raw": '{"grant_type": "authorization_code", "code": "{{code}}"}',
                            },
                            "url": "{{sumsub_root_url}}/resources/snsId/api/connect/token",
                        },
                    }
                ],
            }
        ],
        "variable": [
            {"key": "sumsub_root_url", "value": base_url, "type": "string"},
            {"key": "app-token", "value": app_token, "type": "string"},
            {"key": "secret-key", "value": secret_key, "type": "string"},
            {"key": "client_id", "value": client_id, "type": "string"},
            {"key": "applicantId", "value": "65f1c0ffee", "type": "string"},
            {"key": "code", "value": "", "type": "string"},
        ],
    }
    path.write_text(json.dumps(document, indent="\t"), encoding="utf-8")
    return path
