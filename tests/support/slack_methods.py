"""The stand-in's other Web API methods (views.*, auth.test, conversations.open, files.*).

`WebApiMethods` adds them to the chat.* methods of slack_chat.py, and `METHODS` names every
method the stand-in answers; tests/support/slack_routing.py dispatches calls through it.
"""

import time
from collections.abc import Callable
from typing import Any

from tests.support.slack_chat import ChatMethods, channel_id
from tests.support.slack_records import Upload
from tests.support.slack_state import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID


class WebApiMethods(ChatMethods):
    """Every Web API method of the stand-in: views, auth, conversations, files and chat."""

    def _view_method(self, method: str, body: dict[str, Any], kind: str) -> dict[str, Any]:
        view = body.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        rejected = self._blocks_rejected(method, kind, view, body)
        if rejected:
            return rejected
        with self._lock:
            view_id = body.get("view_id")
            if not isinstance(view_id, str) or not view_id:
                view_id = f"V{self._next_serial():010d}"
            stored = {
                "id": view_id,
                "team_id": TEAM_ID,
                "app_id": APP_ID,
                "bot_id": BOT_ID,
                "private_metadata": "",
                "callback_id": "",
                "external_id": "",
                "state": {"values": {}},
                "hash": f"{time.time():.6f}.{self._next_serial():08x}",
                "root_view_id": view_id,
                "previous_view_id": None,
                **view,
            }
            self._views[view_id] = stored
        return {"ok": True, "view": stored}

    def _views_publish(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view_method("views.publish", body, "home")

    def _views_open(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("trigger_id") and not body.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._view_method("views.open", body, "modal")

    def _views_push(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("trigger_id") and not body.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._view_method("views.push", body, "modal")

    def _views_update(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("view_id") and not body.get("external_id"):
            return {"ok": False, "error": "not_found"}
        return self._view_method("views.update", body, "view")

    def _auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://budgetbot-test.slack.com/",
            "team": "budgetbot test",
            "user": "budgetbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _conversations_open(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("channel"):
            return {"ok": True, "no_op": True, "channel": {"id": body["channel"]}}
        users = [user for user in str(body.get("users") or "").split(",") if user]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel = f"D{users[0]}" if len(users) == 1 else "G" + "".join(sorted(users))
        with self._lock:
            self._workspace.open_conversation(channel, users)
        return {"ok": True, "channel": {"id": channel}}

    def _files_get_upload_url(self, body: dict[str, Any]) -> dict[str, Any]:
        filename, length = body.get("filename"), body.get("length")
        try:
            size = int(length) if length is not None else -1
        except (TypeError, ValueError):
            size = -1
        if not filename or size < 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{self._next_serial():010d}"
        with self._lock:
            self._uploads[file_id] = Upload(file_id, str(filename), size)
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        files = body.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel = channel_id(body.get("channel_id"))
        if channel:
            refused = self._post_refusal("files.completeUploadExternal", channel, body)
            if refused:
                return refused
        completed: list[dict[str, Any]] = []
        with self._lock:
            for item in files:
                file_id = item.get("id") if isinstance(item, dict) else None
                upload = self._uploads.get(str(file_id))
                if upload is None or upload.data is None:
                    return {"ok": False, "error": "file_not_found"}
                upload.title = item.get("title") or upload.filename
                upload.channel_id = body.get("channel_id") or None
                upload.completed = True
                completed.append(
                    {
                        "id": upload.file_id,
                        "created": int(time.time()),
                        "name": upload.filename,
                        "title": upload.title,
                        "size": len(upload.data),
                        "user": BOT_USER_ID,
                        "channels": [upload.channel_id] if upload.channel_id else [],
                    }
                )
        return {"ok": True, "files": completed}


METHODS: dict[str, Callable[[WebApiMethods, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": WebApiMethods._auth_test,
    "chat.postMessage": WebApiMethods._chat_post_message,
    "chat.update": WebApiMethods._chat_update,
    "chat.postEphemeral": WebApiMethods._chat_post_ephemeral,
    "chat.delete": WebApiMethods._chat_delete,
    "views.publish": WebApiMethods._views_publish,
    "views.open": WebApiMethods._views_open,
    "views.update": WebApiMethods._views_update,
    "views.push": WebApiMethods._views_push,
    "conversations.open": WebApiMethods._conversations_open,
    "files.getUploadURLExternal": WebApiMethods._files_get_upload_url,
    "files.completeUploadExternal": WebApiMethods._files_complete_upload,
}
