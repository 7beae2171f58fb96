"""Commands: ``flask --app wms <command>``."""

from __future__ import annotations

import logging
import secrets
import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from wms import demo
from wms.auth.models import User
from wms.channels.models import Channel
from wms.channels.outbox import forget_channels
from wms.channels.sync import prune_reports
from wms.channels.tokens import new_token
from wms.config import setting
from wms.core.backorders import release_due_preorders
from wms.dashboard.services import evaluate_alerts
from wms.extensions import db
from wms.invariants import check_invariants
from wms.worker import Worker, poll_shops, reconcile_shops


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_data)
    app.cli.add_command(demo_logins)
    app.cli.add_command(verify)
    app.cli.add_command(verify, "verify-ledger")  # the name older scripts use
    app.cli.add_command(worker)
    app.cli.add_command(create_user)
    app.cli.add_command(create_channel)


@click.command("demo-data")
@with_appcontext
@click.option("--seed", default=7, show_default=True, help="Same seed, same warehouse.")
@click.option("--if-empty", is_flag=True, help="Do nothing (quietly) when data exists.")
def demo_data(seed: int, if_empty: bool) -> None:
    """Load the demo warehouse into an empty database."""
    if not demo.is_empty():
        if not if_empty:
            click.echo("The database already holds products; demo data not loaded.")
        return
    made = demo.load(seed=seed)
    db.session.commit()
    click.echo("Demo data loaded: " + ", ".join(f"{v} {k}" for k, v in made.items()) + ".")


@click.command("demo-logins")
@with_appcontext
def demo_logins() -> None:
    """Print the demo logins and API tokens."""
    click.echo("Demo logins (username / password / badge):")
    for login in demo.DEMO_LOGINS:
        click.echo(f"  {login.role:<10} {login.username:<6} / {login.password:<10} / {login.badge}")
    click.echo("A badge alone signs in operators; supervisors and admins add the password.")
    click.echo("Demo channel API tokens:")
    for code, _name, token in demo.DEMO_CHANNELS:
        click.echo(f"  {code:<10} {token}")


@click.command("verify")
@with_appcontext
def verify() -> None:
    """Prove every stored counter from its source rows; exit 1 on any difference."""
    differences = check_invariants()
    for difference in differences:
        click.echo(difference)
    if differences:
        click.echo(f"{len(differences)} difference(s).")
        sys.exit(1)
    click.echo("Every counter agrees with the rows it counts.")


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Deliver what is due, then stop.")
@click.option("--batch", default=50, show_default=True)
@click.option("--idle", default=1.0, show_default=True, help="Seconds to sleep when idle.")
@click.option(
    "--threads", default=8, show_default=True, help="Webhooks sent side by side per batch."
)
@click.option(
    "--chores-every",
    default=60.0,
    show_default=True,
    help="Seconds between rounds of chores (polling and reconciling the shops, preorders, alerts).",
)
def worker(once: bool, batch: int, idle: float, threads: int, chores_every: float) -> None:
    """Deliver outbox events to channel webhooks and shops, with retries; outlive outages."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("wms.worker").setLevel(logging.INFO)
    work = Worker(
        batch=batch,
        idle=idle,
        threads=threads,
        chores=_chores,
        chores_every=chores_every,
        report=click.echo,
    )
    click.echo("Worker delivering webhooks (Ctrl-C stops).")
    with work.signals():
        work.run(once=once)
    click.echo("Worker stopped.")


def _chores() -> list[str]:
    said = poll_shops()  # commits per shop, before the round's other work
    said += reconcile_shops(setting("RECONCILE_MINUTES", 60.0))  # commits per shop too
    prune_reports()
    released = release_due_preorders()
    raised, cleared = evaluate_alerts()
    if released:
        said.append(f"released {released} preorder(s)")
    if raised or cleared:
        said.append(f"alerts: {raised} raised, {cleared} cleared")
    return said


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(["operator", "supervisor", "admin"]), default="operator")
@click.option("--badge", default=None)
@click.password_option()
def create_user(username: str, role: str, badge: str | None, password: str) -> None:
    """Create a user."""
    user = User(username=username, role=role, badge_code=badge)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"User {username} ({role}) created.")


@click.command("create-channel")
@with_appcontext
@click.argument("code")
@click.option("--name", default=None)
@click.option("--webhook-url", default=None)
def create_channel(code: str, name: str | None, webhook_url: str | None) -> None:
    """Create a sales channel and print its API token (shown once)."""
    token, digest = new_token()
    channel = Channel(
        code=code,
        name=name or code,
        token_hash=digest,
        webhook_url=webhook_url,
        webhook_secret=secrets.token_hex(24) if webhook_url else None,
    )
    db.session.add(channel)
    db.session.commit()
    forget_channels()
    click.echo(f"Channel {code} created. API token (shown once): {token}")
    if webhook_url:
        click.echo(f"Webhook secret: {channel.webhook_secret}")
