"""Command line: python -m retrieval {ingest,ask,sector,timeline,stats,eval}."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

_log = logging.getLogger(__name__)

os.environ.setdefault("HF_HUB_OFFLINE", "1")        # never reach for a model hub
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if not args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    from config.settings import SettingsError, load_settings
    from retrieval.errors import FrontlineError

    try:
        settings = load_settings()
        if args.command == "ingest" and not args.paths:
            settings.check_corpus_dirs()
        settings.check_chroma_url()
        return args.run(args, settings)
    except (SettingsError, FrontlineError) as exc:
        detail = getattr(exc, "detail", "")
        print(f"error: {exc}" + (f" ({detail})" if detail else ""), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m retrieval", description="Frontline: cited answers from front-line articles.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add article files or folders to the store (default: the configured corpus)")
    p.add_argument("paths", nargs="*", type=Path)
    p.add_argument("--prune", action="store_true", help="drop articles whose files are gone")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_ingest)

    p = sub.add_parser("ask", help="answer a question with cited passages (no question + --json: one per stdin line)")
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_ask)

    p = sub.add_parser("sector", help="a briefing for a place and its sector, newest first")
    p.add_argument("name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_sector)

    p = sub.add_parser("timeline", help="what the articles say about a place, in date order")
    p.add_argument("place")
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_timeline)

    p = sub.add_parser("stats", help="what the store holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_stats)

    p = sub.add_parser("eval", help="run a gold question set; print citation- and answer-level scores per kind")
    p.add_argument("--gold", default="seeds", help="seeds, ruwa, or the path of a gold .jsonl file")
    p.add_argument("--ablate", action="store_true", help="also score it with each answer signal switched off")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_eval)
    return parser


def _frontline(settings):
    from retrieval.service import Frontline

    return Frontline(settings)


def _ingest(args, settings) -> int:
    report = _frontline(settings).ingest(args.paths or None, prune=args.prune, progress=not args.json)
    print(json.dumps(report.to_json(), ensure_ascii=False) if args.json else report.summary())
    return 0


def _ask(args, settings) -> int:
    from retrieval.errors import FrontlineError

    frontline = _frontline(settings)
    if args.question is not None:
        _print_answer(frontline.ask(args.question), args.json)
        return 0
    if not args.json:
        print("error: give a question, or use --json to read one question a line from standard input", file=sys.stderr)
        return 2
    # Exactly one output line per input line, in order (the model is loaded once for all of them):
    # a blank line, undecodable bytes or a failing question get {"question", "error"}.
    for raw in sys.stdin.buffer:
        line = raw.rstrip(b"\r\n")
        try:
            question = line.decode("utf-8")
        except UnicodeDecodeError:
            out = {"question": line.decode("utf-8", "replace"), "error": "This line is not valid UTF-8 text."}
        else:
            try:
                out = frontline.ask(question).to_json()
            except FrontlineError as exc:
                out = {"question": question.strip(), "error": str(exc)}
            except Exception as exc:  # one bad line must not end the batch or shift the lines after it
                _log.exception("ask failed on %r", question[:200])
                out = {"question": question.strip(), "error": f"This question could not be answered ({type(exc).__name__})."}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def _sector(args, settings) -> int:
    _print_answer(_frontline(settings).sector(args.name), args.json)
    return 0


def _timeline(args, settings) -> int:
    _print_answer(_frontline(settings).timeline(args.place, args.since, args.until), args.json)
    return 0


def _stats(args, settings) -> int:
    data = _frontline(settings).stats()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(f"{data['articles']} articles ({data['undated_articles']} undated), {data['passages']} passages")
        print(f"dates: {data['first_date'] or '?'} to {data['last_date'] or '?'}; last ingest {data['last_ingest'] or 'never'}")
        top = ", ".join(f"{k} ({v})" for k, v in list(data["places"].items())[:15])
        print(f"places covered ({len(data['places'])}): {top}")
    return 0


def _eval(args, settings) -> int:
    from retrieval.evaluation import ablate, load_gold, run_gold

    frontline = _frontline(settings)
    items = load_gold(args.gold)
    report = run_gold(frontline, items)
    print(json.dumps(report.to_json(), ensure_ascii=False, indent=1) if args.json else report.summary())
    if args.ablate:
        print()
        print(ablate(frontline, {args.gold if args.gold in ("seeds", "ruwa") else "gold": items}))
    return 0


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
        return
    from retrieval.render import answer_as_text

    print(answer_as_text(answer))


if __name__ == "__main__":
    sys.exit(main())
