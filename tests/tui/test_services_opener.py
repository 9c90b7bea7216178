"""The TUI opens its database through store.opening: a `--db` that cannot be used is one line
on the login screen, a server that is down is retried, and nothing is created on the way."""

from __future__ import annotations

import pytest

from tests.cli.pg_servers import closed_port
from tests.tui.conftest import settle, widget_text
from upgradecamp.store.opening import DatabaseUnusable
from upgradecamp.tui import i18n
from upgradecamp.tui.app import ServicesUnavailable, create_app, services_opener


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")


def test_a_text_file_is_refused_for_good(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("not a database\n", encoding="utf-8")
    with pytest.raises(ServicesUnavailable, match="is not a database file"):
        services_opener(str(notes))()


def test_a_missing_file_is_not_created(tmp_path):
    with pytest.raises(ServicesUnavailable, match="holds no upgradecamp database"):
        services_opener(str(tmp_path / "none.db"))()
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_is_down_is_tried_again():
    opener = services_opener(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test")
    with pytest.raises(DatabaseUnusable) as raised:
        opener()
    assert not isinstance(raised.value, ServicesUnavailable)
    assert not raised.value.lasting


def test_a_database_made_by_init_opens(sqlite_services, tmp_path):
    services = services_opener(str(tmp_path / "one.db"))()
    assert services.engine.url.database == str(tmp_path / "one.db")
    services.engine.dispose()


async def test_the_login_screen_says_it_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-folder.db").mkdir()
    app = create_app(services_opener("a-folder.db"), "en", db_label="a-folder.db", terminal="t1")
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        message = " ".join(widget_text(app.screen.query_one("#login-message")).split())
        assert message.startswith(
            "a-folder.db is a folder, not a database file; pass a file "
            "path such as --db a-folder.db/upgradecamp.db. Quit"
        ), message
