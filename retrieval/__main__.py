"""Command line: python -m retrieval (or `frontline`) {ingest,ask,sector,timeline,stats,eval,follow}."""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time
from pathlib import Path

_log = logging.getLogger(__name__)

os.environ.setdefault("HF_HUB_OFFLINE", "1")        # never reach for a model hub
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EXIT_BAD_INPUT = 2          # a bad setting, file or question: the message says which
EXIT_UNREACHABLE = 3        # the Chroma server did not answer within --store-wait


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from config.settings import SettingsError, load_settings
    from retrieval.errors import FrontlineError

    try:
        settings = load_settings()
        settings.check_data_dir()
        settings.check_gazetteer()
        if args.command == "ingest" and not args.sources:
            settings.check_corpus_dirs()
        args.poll_minutes = settings.poll_minutes
        frontline = _frontline(settings)
        if not _wait_for_store(frontline, settings.chroma_url, args.store_wait):
            return EXIT_UNREACHABLE
        return args.run(args, frontline)
    except (SettingsError, FrontlineError) as exc:
        detail = getattr(exc, "detail", "")
        print(f"error: {exc}" + (f" ({detail})" if detail else ""), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    # Options every command shares, declared once.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    common.add_argument("--json", action="store_true", help="print JSON instead of text")
    common.add_argument("--store-wait", type=_seconds, default=30.0, metavar="SECONDS",
                        help="how long to wait for an unreachable Chroma server ('forever' to keep trying; default 30)")
    dates = argparse.ArgumentParser(add_help=False)
    dates.add_argument("--since", help="from this date on (YYYY-MM-DD, YYYY-MM or YYYY)")
    dates.add_argument("--until", help="up to this date (YYYY-MM-DD, YYYY-MM or YYYY)")

    parser = argparse.ArgumentParser(prog="python -m retrieval",
                                     description="Frontline: cited answers from front-line articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common],
                       help="add article files, folders or web URLs (feeds, pages) to the store "
                            "(default: the configured corpus)")
    p.add_argument("sources", nargs="*", metavar="PATH_OR_URL",
                   help="a file, a folder, or an http(s) URL of an RSS/Atom feed or an article page")
    p.add_argument("--prune", action="store_true", help="drop articles whose files are gone")
    p.set_defaults(run=_ingest)

    p = sub.add_parser("ask", parents=[common],
                       help="answer a question with cited passages (no question + --json: one per stdin line)")
    p.add_argument("question", nargs="?")
    p.set_defaults(run=_ask)

    picture = argparse.ArgumentParser(add_help=False)
    picture.add_argument("--png", type=Path, metavar="FILE", help="also draw the picture the bot attaches into FILE")

    p = sub.add_parser("sector", parents=[common, picture],
                       help="a briefing for a place and its sector, newest first (--png: a map of the sector)")
    p.add_argument("name")
    p.set_defaults(run=_sector)

    p = sub.add_parser("timeline", parents=[common, dates, picture],
                       help="what the articles say about a place, in date order (--png: weekly mentions)")
    p.add_argument("place")
    p.set_defaults(run=_timeline)

    p = sub.add_parser("stats", parents=[common], help="what the store holds")
    p.set_defaults(run=_stats)

    p = sub.add_parser("eval", parents=[common],
                       help="run a gold question set; print citation- and answer-level scores per kind")
    p.add_argument("--gold", default="seeds", help="seeds, ruwa, or the path of a gold .jsonl file")
    p.add_argument("--ablate", action="store_true", help="also score it with each answer signal switched off")
    p.set_defaults(run=_eval)

    p = sub.add_parser("follow", parents=[common],
                       help="poll the followed feeds every FRONTLINE_POLL_MINUTES and ingest new articles "
                            "(one summary line per poll; SIGINT/SIGTERM stop it)")
    p.add_argument("--once", action="store_true", help="poll once and exit (for cron)")
    p.set_defaults(run=_follow)
    return parser


def _seconds(text: str) -> float:
    if text.strip().lower() in {"forever", "inf", "infinite"}:
        return math.inf
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _frontline(settings):
    from retrieval.service import Frontline

    return Frontline(settings.retrieval_config())


def _wait_for_store(frontline, url: str | None, patience: float) -> bool:
    """True once the vector store answers; on the way, one line per failed try (not a traceback)."""
    from retrieval.retry import Backoff

    deadline = time.monotonic() + patience
    for delay in Backoff().delays():
        health = frontline.health()
        if health.store_ok:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            print(f"error: cannot reach the Chroma server at {url}: {health.detail}; "
                  f"gave up after {patience:.0f} s (start it, or check FRONTLINE_CHROMA_URL)", file=sys.stderr)
            return False
        delay = min(delay, left)
        print(f"cannot reach the Chroma server at {url}: {health.detail} — "
              f"retrying in {delay:.0f} s", file=sys.stderr, flush=True)
        time.sleep(delay)
    return False


def _ingest(args, frontline) -> int:
    # strings, not Paths: Path("https://x.org/feed") would become "https:/x.org/feed"
    report = frontline.ingest(args.sources or None, prune=args.prune, progress=not args.json)
    print(json.dumps(report.to_json(), ensure_ascii=False) if args.json else report.summary())
    return 0


def _ask(args, frontline) -> int:
    from retrieval.errors import FrontlineError

    if args.question is not None:
        _print_answer(frontline.ask(args.question), args.json)
        return 0
    if not args.json:
        print("error: give a question, or use --json to read one question a line from standard input", file=sys.stderr)
        return EXIT_BAD_INPUT
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


def _sector(args, frontline) -> int:
    _print_answer(frontline.sector(args.name), args.json)
    if args.png:
        _write_png(args.png, frontline.sector_picture(args.name))
    return 0


def _timeline(args, frontline) -> int:
    from retrieval.daterange import DateRange

    dates = DateRange.from_options(args.since, args.until)
    _print_answer(frontline.timeline(args.place, dates), args.json)
    if args.png:
        _write_png(args.png, frontline.timeline_picture(args.place, dates))
    return 0


def _write_png(path: Path, picture) -> None:
    from retrieval.errors import FrontlineError

    try:
        path.write_bytes(picture.png)
    except OSError as exc:
        raise FrontlineError(f"cannot write {path}: {exc.strerror}") from None
    print(f"picture: {path} ({picture.width}×{picture.height})", file=sys.stderr)


def _stats(args, frontline) -> int:
    data = frontline.stats()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(f"{data['articles']} articles ({data['undated_articles']} undated), {data['passages']} passages")
        print(f"dates: {data['first_date'] or '?'} to {data['last_date'] or '?'}; last ingest {data['last_ingest'] or 'never'}")
        top = ", ".join(f"{k} ({v})" for k, v in list(data["places"].items())[:15])
        print(f"places covered ({len(data['places'])}): {top}")
        g = data["gazetteer"]
        print(f"gazetteer: {g['places']:,} places ({g['from_geonames']:,} from GeoNames, {g['curated']:,} curated), "
              f"{g['sectors']} sectors, {g['spellings']:,} spellings")
    return 0


def _eval(args, frontline) -> int:
    from retrieval.evaluation import ablate, load_gold, run_gold

    items = load_gold(args.gold)
    report = run_gold(frontline, items)
    print(json.dumps(report.to_json(), ensure_ascii=False, indent=1) if args.json else report.summary())
    if args.ablate:
        print()
        print(ablate(frontline, {args.gold if args.gold in ("seeds", "ruwa") else "gold": items}))
    return 0


def _follow(args, frontline) -> int:
    """Poll now, then every FRONTLINE_POLL_MINUTES until SIGINT or SIGTERM (which end the running poll
    after the page it is reading; what was read is kept)."""
    import signal
    import threading

    if not args.verbose:    # each failure is in the poll's summary line; no second line per failed feed
        for noisy in ("retrieval.web", "retrieval.following", "trafilatura", "htmldate"):
            logging.getLogger(noisy).setLevel(logging.ERROR)
    if not frontline.feeds():
        print("error: no feeds to follow: set FRONTLINE_FEEDS (comma-separated RSS/Atom URLs) or add one "
              "in Discord with /feeds add", file=sys.stderr)
        return EXIT_BAD_INPUT
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        stop.set()
        signal.signal(signum, signal.SIG_DFL)      # a second one ends the program at once

    if not args.once:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, on_signal)
    while True:
        report = frontline.follow_once(stop)
        print(json.dumps(report.to_json(), ensure_ascii=False) if args.json else report.summary(), flush=True)
        if args.verbose and not args.json:
            for skip in report.skipped:
                print(f"  skipped {skip.origin}: {skip.reason}", flush=True)
        if args.once or stop.wait(args.poll_minutes * 60):
            return 0


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
        return
    from retrieval.render import answer_as_text

    print(answer_as_text(answer))


if __name__ == "__main__":
    sys.exit(main())
