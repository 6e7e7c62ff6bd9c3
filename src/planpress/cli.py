"""The planpress command: build, check. Messages are Japanese; exit 0 clean, 1 content, 2 usage."""

from __future__ import annotations

import argparse
import gc
import io
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _JapaneseHelp(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001, ANN201 - argparse's signature
        # argparse asks with prefix "" when it builds a subcommand's prog name: keep that empty.
        return super().add_usage(usage, actions, groups, prefix="使い方: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with Japanese headings and errors, and options only as written in full (``--fin``
    is no ``--final``: a shortened or mistyped option is a mistake, not another option)."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003 - passed through to argparse
        super().__init__(formatter_class=_JapaneseHelp, add_help=False, allow_abbrev=False, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        self.add_argument("-h", "--help", action="help", help="この説明を表示して終了します")

    def parse_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201 - argparse's signature
        # argparse words its messages through its module's ``_`` (gettext) as it parses: in
        # Japanese while this parser (and its subcommands' parsers, within it) parse.
        english, argparse._ = argparse._, _japanese
        try:
            return super().parse_args(args, namespace)
        finally:
            argparse._ = english

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: コマンドの書き方に誤りがあります（{message}）\n")


#: argparse's messages that reach the office on a mistaken command line, in Japanese.
_ARGPARSE_MESSAGES = {
    "the following arguments are required: %s": "次の引数がありません: %s",
    "unrecognized arguments: %s": "知らない引数があります: %s",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "「%(value)s」は選べません（選べるもの: %(choices)s）",
    "expected one argument": "値を1つ続けて書いてください",
    "expected at most one argument": "値は1つまでです",
    "expected at least one argument": "値を1つ以上続けて書いてください",
    "ambiguous option: %(option)s could match %(matches)s": "%(option)s がどれを指すか決まりません（%(matches)s）",
    "invalid %(type)s value: %(value)r": "「%(value)s」は使えない値です",
    "one of the arguments %s is required": "次のどれかが必要です: %s",
    "not allowed with argument %s": "%s と一緒には使えません",
    "ignored explicit argument %r": "%r は使えません",
}


def _japanese(message: str) -> str:
    return _ARGPARSE_MESSAGES.get(message, message)


def _parser() -> argparse.ArgumentParser:
    from planpress.render import FORMATS, PROFILES

    parser = _Parser(
        prog="planpress",
        description="総合計画・施策評価の content/ から、冊子・報告書の PDF と Word を作ります。\n"
        "プロジェクトのフォルダ（content/ と layouts/ のあるフォルダ）で実行してください。",
        epilog="終了コード: 0 問題なし / 1 内容に問題あり / 2 コマンドの誤り",
    )
    parser.add_argument("-C", dest="root", metavar="フォルダ", default=".", help="このフォルダのプロジェクトで実行します（既定: 今のフォルダ）")
    commands = parser.add_subparsers(dest="command", title="コマンド", metavar="コマンド", parser_class=_Parser)
    build = commands.add_parser("build", help="文書を output/ に作成します", description="文書を output/ に作成します。文書名を省くと全文書を作ります。")
    build.add_argument("names", nargs="*", metavar="文書名", help="作る文書（例: evaluation-2021）")
    build.add_argument("--format", dest="formats", action="append", choices=sorted(FORMATS), metavar="形式",
                       help=f"作る形式（{'・'.join(sorted(FORMATS))}、複数指定可。既定: pdf と docx）")
    build.add_argument("--strict", action="store_true", help="警告も問題として扱い、作成しません")
    build.add_argument("--profile", choices=PROFILES, default="web", metavar="用途",
                       help="web（既定: ウェブ公開用のタグ付きPDF、PDF/UA-1）、print（印刷所用のPDF/X-4: 塗り足し3mm・トンボ・章を右ページから）、archive（保存用のPDF/A-2u）")
    build.add_argument("--final", action="store_true", help="冊子の未入力・未登録の写真が残っている間は作成しません（入稿用）")
    build.add_argument("--quiet", action="store_true", help="進み具合を表示しません")
    check = commands.add_parser("check", help="content/ を検査します（何も書き出しません）", description="content/ を検査し、問題をすべて表示します。")
    check.add_argument("--strict", action="store_true", help="警告も問題として扱います")
    check.add_argument("--no-layout", dest="layout", action="store_false",
                       help="PDFのレイアウト（はみ出しなど）を検査しません（速く終わります）")
    serve = commands.add_parser("serve", help="文書をブラウザで表示し、content/ と layouts/ の保存のたびに更新します",
                                description="文書をブラウザで表示します（http://127.0.0.1:8000/）。content/ と layouts/ を保存するたびに\n"
                                "ページを作り直して自動で再読み込みし、内容の問題はページの上に表示します。Ctrl-C で終了します。")
    serve.add_argument("--port", type=_port, default=8000, metavar="番号", help="ポート番号（既定: 8000。0 は空いている番号）")
    serve.add_argument("--host", default="127.0.0.1", metavar="アドレス",
                       help="待ち受けるアドレス（既定: 127.0.0.1。このコンピューターからだけ見られます）")
    _cycle_commands(commands)
    commands.add_parser("clean", help="output/ と組版キャッシュ（.planpress-cache/）を削除します",
                        description="作成した文書（output/）と組版キャッシュ（.planpress-cache/）を削除します。")
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"ポート番号は 0〜65535 の数です: {text}")
    return int(text)


def _cycle_commands(commands: argparse._SubParsersAction) -> None:
    """The yearly evaluation cycle: evaluation new → sheets → collect (then build)."""
    evaluation = commands.add_parser("evaluation", help="施策評価の年度ファイルを扱います", description="施策評価の年度ファイルを扱います。")
    actions = evaluation.add_subparsers(dest="action", title="操作", metavar="操作", required=True, parser_class=_Parser)
    new = actions.add_parser("new", help="年度の評価ファイルを作ります", description="content/evaluations/<年度>.yaml を、全項目の評価が空の状態で作ります。")
    new.add_argument("year", type=int, metavar="年度", help="対象年度（西暦、例: 2023）")
    sheets = commands.add_parser("sheets", help="部署ごとの評価シート（Word）を作ります",
                                 description="output/sheets/<年度>/<部署名>.docx を部署ごとに作ります。")
    sheets.add_argument("year", type=int, metavar="年度", help="対象年度（西暦、例: 2023）")
    collect = commands.add_parser("collect", help="戻ってきた評価シートを取り込みます",
                                  description="評価シートの記入内容を確かめ、content/evaluations/<年度>.yaml に取り込みます。\n"
                                  "問題が1つでもあれば何も書き込みません。")
    collect.add_argument("year", type=int, metavar="年度", help="対象年度（西暦、例: 2023）")
    collect.add_argument("files", nargs="+", metavar="ファイル", help="戻ってきた評価シート（.docx、複数指定可）")
    collect.add_argument("--dry-run", action="store_true", help="変更内容を表示するだけで、書き込みません")


def command() -> NoReturn:
    """The ``planpress`` command as the office runs it (its console script, ``python -m
    planpress``): ``main``, its status the process's.

    Before Python's own teardown the objects left are frozen (``gc.freeze``): the teardown then
    frees the modules without first walking every object they hold in search of cycles, which
    took ~0.08 s at the end of every build; the system takes the memory back at exit either way.
    Exit handlers, the flushing of stdout and stderr and the rest of the teardown are Python's
    as before. Tests call ``main`` in their own process, which this would leave frozen.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """The command; Ctrl-C ends it with one line and status 130, a closed pipe is not an error.

    SIGTERM (``kill``, a service stopping) and SIGHUP (the terminal window closed) stop it as
    Ctrl-C does, with their own status (143, 129): the build ends LibreOffice and its workers and
    removes its temporary files, and output/ stays as it was. Left to the system, either signal
    ended the build at once and left LibreOffice running, writing into a temporary folder no
    one removed.
    """
    for stream in (sys.stdout, sys.stderr):
        # Messages are Japanese: under LANG=C Python would write them as \uXXXX escapes.
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.replace("-", "").lower() != "utf8":
            stream.reconfigure(encoding="utf-8", errors="replace")
    previous = _answer_stop_signals()
    try:
        return _main(argv)
    except KeyboardInterrupt as stopped:
        _say("planpress: 中断しました（output/ のファイルは前のままです）")
        return stopped.status if isinstance(stopped, Stopped) else 130
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, answered as Ctrl-C is; ``status``: the exit status that says which."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.status = 128 + number


def _stop(number: int, frame: object) -> None:
    raise Stopped(number)


#: The signals that stop a command as Ctrl-C does (SIGINT is Python's own KeyboardInterrupt).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _answer_stop_signals() -> dict[int, object]:
    """Let STOP_SIGNALS raise ``Stopped`` in the main thread; the handlers they had before, to put
    back. Nothing in another thread (Python answers signals in the main thread only), and nothing
    for a signal the process was told to ignore (``nohup``)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for number in STOP_SIGNALS:
        handler = signal.getsignal(number)
        if handler is not signal.SIG_IGN:
            previous[number] = signal.signal(number, _stop)
    return previous


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    _log_warnings()
    # WeasyPrint's own warnings reach the user once, translated, through render/pdf/weasy.py.
    logging.getLogger("weasyprint").propagate = False
    from planpress import build as stages
    from planpress.errors import PlanpressError
    from planpress.project import Project

    root = Path(args.root)
    if not root.is_dir():
        _say(f"{args.root}: フォルダがありません（-C にはプロジェクトのフォルダを指定してください）" if not root.exists()
             else f"{args.root}: フォルダではありません（-C にはプロジェクトのフォルダを指定してください）")
        return EXIT_USAGE
    if not (root / "content").is_dir():  # a folder that is no project: a mistake in the command line too
        _say(f"{args.root if args.root != '.' else root.resolve()}: content/ フォルダがありません（planpress はプロジェクトのフォルダで実行するか、-C でそのフォルダを指定してください）")
        return EXIT_USAGE
    try:
        project = Project.at(root)
        if args.command == "clean":
            from planpress.cache import WAITING, clean, taking_turns

            with taking_turns(project, create=False, waiting=lambda: _say(WAITING)):  # not under a build
                removed = clean(project)
            for path in removed:
                _say(f"削除しました: {project.display(path)}/")
            return EXIT_OK
        if args.command == "check":
            problems = stages.check(project, strict=args.strict, layout=args.layout)
            _print_lines([str(p) for p in problems.items])
            _say(f"問題はありません（警告{len(problems.warnings)}件）")
            return EXIT_OK
        if args.command == "serve":
            from planpress.serve import run as serve
            from planpress.serve.preview import PrintPreview
            from planpress.site.edition import WebEdition

            return serve(project, host=args.host, port=args.port, say=_say, editions=(PrintPreview(), WebEdition()))
        if args.command in ("evaluation", "sheets", "collect"):
            from planpress.cycle.commands import run

            return EXIT_OK if run(project, args) else EXIT_CONTENT
        written = stages.build(project, names=args.names, formats=args.formats or (), strict=args.strict, quiet=args.quiet,
                               profile=args.profile, final=args.final)
        for path in written:
            _say(project.display(path), sys.stdout)
        return EXIT_OK
    except PlanpressError as error:
        _print_lines(error.lines())
        return EXIT_CONTENT


def _log_warnings() -> None:
    """Warnings (and worse) go to stderr, formatted as check's lines; installed once per process."""
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    if not any(isinstance(handler, _Stderr) for handler in root.handlers):
        handler = _Stderr()
        handler.setFormatter(_WarningFormat())
        root.addHandler(handler)


class _Stderr(logging.StreamHandler):
    """A handler that writes to sys.stderr as it is when a message comes, not when it was made,
    so a caller that swaps sys.stderr (the tests run the command in their own process) sees the
    warnings exactly as a terminal would."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always the current sys.stderr


class _WarningFormat(logging.Formatter):
    """A warning that names its place reads as check's lines do: FILE:LINE:COL: 警告: message."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        place, separator, rest = message.partition(": ")
        if separator and re.fullmatch(r"\S+:\d+:\d+", place):
            return f"{place}: 警告: {rest}"
        return f"planpress: 警告: {message}"


def _print_lines(lines: Sequence[str]) -> None:
    for line in lines:
        _say(line)


def _say(line: str, stream: TextIO | None = None) -> None:
    """Print a line; a reader that closed the pipe (planpress … | head), or a terminal closed, is
    no failure of the command."""
    stream = stream or sys.stderr
    try:
        print(line, file=stream, flush=True)
    except OSError:  # the pipe closed, or the terminal gone (SIGHUP: EIO)
        # Python would report the failed write again when it flushes the stream at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


if __name__ == "__main__":
    sys.exit(main())
