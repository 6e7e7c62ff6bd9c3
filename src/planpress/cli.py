"""The planpress command: build, check. Messages are Japanese; exit 0 clean, 1 content, 2 usage."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _JapaneseHelp(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001, ANN201 - argparse's signature
        return super().add_usage(usage, actions, groups, prefix="使い方: ")


class _Parser(argparse.ArgumentParser):
    """argparse with Japanese headings and errors."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003 - passed through to argparse
        super().__init__(formatter_class=_JapaneseHelp, add_help=False, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        self.add_argument("-h", "--help", action="help", help="この説明を表示して終了します")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: コマンドの書き方に誤りがあります（{message}）\n")


def _parser() -> argparse.ArgumentParser:
    from planpress.render import FORMATS

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
    build.add_argument("--quiet", action="store_true", help="進み具合を表示しません")
    check = commands.add_parser("check", help="content/ を検査します（何も書き出しません）", description="content/ を検査し、問題をすべて表示します。")
    check.add_argument("--strict", action="store_true", help="警告も問題として扱います")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    logging.basicConfig(format="planpress: 警告: %(message)s", level=logging.WARNING)
    from planpress import build as stages
    from planpress.errors import PlanpressError
    from planpress.source import Project

    try:
        project = Project.at(Path(args.root))
        if args.command == "check":
            problems = stages.check(project, strict=args.strict)
            _print_lines([str(p) for p in problems.items])
            print(f"問題はありません（警告{len(problems.warnings)}件）", file=sys.stderr)
            return EXIT_OK
        written = stages.build(project, names=args.names, formats=args.formats or (), strict=args.strict, quiet=args.quiet)
        for path in written:
            print(project.display(path))
        return EXIT_OK
    except PlanpressError as error:
        _print_lines(error.lines())
        return EXIT_CONTENT


def _print_lines(lines: Sequence[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
