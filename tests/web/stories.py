"""Five versions of one agency copy and two other stories on the same flood, uploaded
through the API (for the API, feed and page tests of stories)."""

from __future__ import annotations

from starlette.testclient import TestClient

from pressearchiv.archive.model import article_id_for
from pressearchiv.index import SearchIndex
from tests.index.flood import FLOOD, FOLLOW_UP, REPORTAGE
from tests.index.flood import STORY as STORY  # re-exported for the web tests
from tests.index.flood import VERSION_IDS as VERSION_IDS

REPORTAGE_ID = article_id_for(REPORTAGE)
FOLLOW_UP_ID = article_id_for(FOLLOW_UP)


def upload_flood(client: TestClient) -> None:
    """Upload the seven articles and wait until each has its story."""
    body = [
        {"title": title, "text": text, "outlet": outlet, "date": date}
        for title, text, outlet, date in FLOOD
    ]
    response = client.post("/api/articles", json=body)
    assert response.status_code == 201, response.text
    index: SearchIndex = client.app.state.index  # type: ignore[attr-defined]
    store_seq = client.app.state.store.max_seq()  # type: ignore[attr-defined]
    # The upload waits briefly for stories; a busy test machine may need longer.
    assert index.wait_stories(store_seq, timeout=30)
