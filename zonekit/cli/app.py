"""The ``zonekit`` command: one sub-command per job, user errors without tracebacks."""

from __future__ import annotations

import gc
from typing import Annotated

import typer
from typer.core import TyperGroup

from zonekit.cli._coercion import use_plain_coercion
from zonekit.cli._help import light_rich_help
from zonekit.errors import ZonekitError


class _Group(TyperGroup):
    """Turn input errors into a one-paragraph message and exit code 2."""

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except ZonekitError as exc:
            from zonekit.cli._common import to_flags

            # library messages name API parameters (crs=); say them as this CLI's options
            typer.echo(f"Error: {to_flags(str(exc))}", err=True)
            raise typer.Exit(2) from None
        except Exception:
            from zonekit.cli._interrupts import interrupted

            if not interrupted():
                raise
            # a library turned the user's Ctrl-C into another error: it is still the stop
            typer.echo("Aborted!", err=True)
            raise typer.Exit(130) from None

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _plain_metavars(self)

    def get_params(self, ctx: typer.Context) -> list[object]:
        params = super().get_params(ctx)
        for param in params:  # typer adds the completion options after __init__
            use_plain_coercion(param)
        return params

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)  # registration order, not alphabetical


#: What help shows for an option's value, instead of Python types (``<bool>``, ``<Path>``).
_METAVAR = {"Path": "PATH", "int": "N", "float": "N", "str": "TEXT"}


def _plain_metavars(command: object) -> None:
    """Give every option a plain metavar (none for flags, PATH, N or TEXT) and conversion."""
    for sub in getattr(command, "commands", {}).values():
        _plain_metavars(sub)
    for param in getattr(command, "params", []):
        use_plain_coercion(param)
        if param.metavar is not None or param.param_type_name != "option":
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""
        elif hasattr(param, "bare_type"):
            param.metavar = _METAVAR.get(param.bare_type(), None)
    make_help = command.get_help_option

    def help_option(ctx: object) -> object:
        option = make_help(ctx)
        if option is not None:
            option.metavar = ""
            use_plain_coercion(option)
        return option

    command.get_help_option = help_option


app = typer.Typer(
    cls=_Group,
    help="Land use, land output and service circles for industrial parks "
    "(first user: 中关村密云园). Given no data at all, commands use the bundled SYNTHETIC "
    "sample park.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        from zonekit import __version__

        typer.echo(f"zonekit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
          = False,
          quiet: Annotated[bool, typer.Option(
              "--quiet", "-q", help="No messages or progress on stderr; errors are still "
              "printed.")] = False,
          json: Annotated[bool, typer.Option(
              "--json", help="Print the run's summary.json on stdout, and nothing else "
              "there (no tables).")] = False) -> None:
    """Land use, land output and service circles for industrial parks."""
    from zonekit.cli._common import OUTPUT

    OUTPUT.quiet, OUTPUT.json = quiet, json


def _register() -> None:
    """Add every ``zonekit.cli.commands_*`` module's commands, in their ``ORDER``."""
    import importlib
    import pkgutil

    import zonekit.cli as pkg

    modules = [importlib.import_module(f"zonekit.cli.{m.name}")
               for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("commands_")]
    # Command modules import only typer at module level; the work imports lazily.
    for module in sorted(modules, key=lambda m: getattr(m, "ORDER", 100)):
        module.register(app)


_register()
light_rich_help()


def main() -> None:
    """Entry point of the console script."""
    from zonekit.cli import _fast_exit
    from zonekit.cli._interrupts import install

    install()  # a Ctrl-C swallowed by a finalizer still stops the command
    _fast_exit.enable()
    try:
        app(prog_name="zonekit")
    except SystemExit as done:
        _fast_exit.leave(done.code)  # a finished command's result is not freed by hand
        raise
    finally:
        # The interpreter's shutdown runs garbage collections over every module object
        # (pandas, scipy, shapely …): 0.3-0.4 s per command. Frozen objects are skipped;
        # every finalizer and atexit handler still runs.
        gc.freeze()
