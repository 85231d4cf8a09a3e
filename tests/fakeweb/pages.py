"""HTML pages and feeds shaped like real news sites, in two different house styles.

"Kharkiv Ledger" (host A) is a modern HTML5 template: JSON-LD NewsArticle, Open Graph, a cookie
banner, a navigation bar, share buttons, an inline "Read also" teaser, related stories, comments and a
footer. "Donbas Courier" (host B) is a WordPress-like div soup with a newsletter box, a "Most read"
sidebar and threaded comments. Each style lists the boilerplate strings extraction must drop.
"""
from __future__ import annotations

import html
import json
from datetime import datetime
from email.utils import format_datetime

from .stories import Story

LEDGER = "Kharkiv Ledger"
COURIER = "Donbas Courier"

LEDGER_BOILERPLATE = (
    "We use cookies to give you the best experience on our website",
    "Accept all cookies",
    "Manage preferences",
    "Subscribe to the Ledger",
    "Share on Facebook",
    "Copy link",
    "Air defence downs 20 drones over Kyiv region",
    "Power cuts scheduled across Kharkiv region this weekend",
    "Volunteers open a bakery in Sloviansk",
    "Stay strong, Kharkiv! Greetings from Lviv",
    "Why is nobody talking about the mobilisation law",
    "© 2024 Kharkiv Ledger. All rights reserved.",
    "Privacy policy",
    "Support independent journalism",
)
COURIER_BOILERPLATE = (
    "This site uses cookies. By continuing to browse the site you are agreeing",
    "Got it",
    "Get the morning briefing in your inbox",
    "Most read",
    "Ukrainian Railways adds night train to Zaporizhzhia",
    "Drone makers in Dnipro double their output",
    "Tweet this",
    "Thank you for the article, we pray for the defenders",
    "Leave a Reply",
    "Donbas Courier is an independent regional newspaper",
    "Previous post",
)

_LEDGER_RELATED = (
    "Power cuts scheduled across Kharkiv region this weekend",
    "Volunteers open a bakery in Sloviansk",
    "Air defence units train on new radar systems",
)
_COURIER_MOST_READ = (
    "Ukrainian Railways adds night train to Zaporizhzhia",
    "Drone makers in Dnipro double their output",
    "Kramatorsk schools to reopen underground classrooms",
)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _human(iso: str) -> str:
    d = datetime.fromisoformat(iso)
    return f"{d.strftime('%B')} {d.day}, {d.year}, {d.strftime('%H:%M')}"


def ledger_article(story: Story, base: str) -> str:
    """A page of host A: semantic HTML5 with every metadata a modern CMS emits."""
    url = f"{base}/news/{story.slug}"
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
        "datePublished": story.published, "dateModified": story.modified,
        "author": {"@type": "Person", "name": story.author},
        "publisher": {"@type": "Organization", "name": LEDGER, "logo": {"@type": "ImageObject", "url": f"{base}/logo.png"}},
        "mainEntityOfPage": url, "articleSection": story.section,
    }
    body = [f"<p>{_e(p)}</p>" for p in story.lead + story.paragraphs]
    # a teaser for another story between the second and third paragraphs, as many sites do
    body.insert(2, '<p class="read-also"><strong>Read also:</strong> '
                   f'<a href="{base}/news/air-defence-drones">Air defence downs 20 drones over Kyiv region</a></p>')
    dated = (
        f'<meta property="article:published_time" content="{story.published}">\n'
        f'<meta property="article:modified_time" content="{story.modified}">\n'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    ) if story.page_metadata else ""
    byline_time = (f' · <time datetime="{story.published}">{_human(story.published)}</time>'
                   f' · Updated <time datetime="{story.modified}">{_human(story.modified)}</time>'
                   if story.page_metadata else "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(story.title)} | {LEDGER}</title>
<link rel="canonical" href="{url}">
<meta name="description" content="{_e(story.paragraphs[0][:150])}">
<meta name="author" content="{_e(story.author)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{_e(story.title)}">
<meta property="og:site_name" content="{LEDGER}">
<meta property="og:url" content="{url}">
<meta property="og:image" content="{base}/img/{story.slug}.jpg">
{dated}
<link rel="alternate" type="application/rss+xml" title="{LEDGER}" href="{base}/feed.rss">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
<style>.cookie-banner{{position:fixed;bottom:0}}</style>
</head>
<body class="article-page">
<div class="cookie-banner" id="cookie-consent" role="dialog">
  <p>We use cookies to give you the best experience on our website. You can change your settings at any time.</p>
  <button>Accept all cookies</button> <button>Manage preferences</button>
</div>
<header class="site-header">
  <a class="logo" href="{base}/">{LEDGER}</a>
  <nav aria-label="Main"><ul>
    <li><a href="{base}/">Home</a></li><li><a href="{base}/section/war">War</a></li>
    <li><a href="{base}/section/politics">Politics</a></li><li><a href="{base}/section/economy">Economy</a></li>
    <li><a href="{base}/section/opinion">Opinion</a></li><li><a href="{base}/subscribe">Subscribe to the Ledger</a></li>
  </ul></nav>
  <form class="search" action="{base}/search"><input name="q" placeholder="Search"></form>
</header>
<main>
<article class="story">
  <header>
    <p class="kicker"><a href="{base}/section/{story.section.lower()}">{_e(story.section)}</a></p>
    <h1>{_e(story.title)}</h1>
    <p class="byline">By <a rel="author" href="{base}/authors/{story.author.lower().replace(' ', '-')}">{_e(story.author)}</a>{byline_time}</p>
    <div class="share-buttons">
      <a href="https://facebook.com/sharer?u={url}">Share on Facebook</a>
      <a href="https://x.com/intent/tweet?url={url}">Share on X</a>
      <button class="copy">Copy link</button>
    </div>
  </header>
  <figure>
    <img src="{base}/img/{story.slug}.jpg" alt="">
    <figcaption>Illustration photo. Source: {LEDGER} archive</figcaption>
  </figure>
  <div class="story-body">
    {chr(10).join(body)}
  </div>
  <aside class="donate"><p>Support independent journalism from the front line. <a href="{base}/donate">Donate</a></p></aside>
  <p class="tags">Tags: <a href="{base}/tag/war">war</a>, <a href="{base}/tag/donetsk">Donetsk region</a></p>
</article>
<section class="related">
  <h2>Related stories</h2>
  <ul>{''.join(f'<li><a href="{base}/news/r{i}">{_e(t)}</a></li>' for i, t in enumerate(_LEDGER_RELATED))}</ul>
</section>
<section id="comments" class="comments">
  <h2>Comments (2)</h2>
  <div class="comment"><p class="comment-author">lviv_reader</p><p>Stay strong, Kharkiv! Greetings from Lviv.</p></div>
  <div class="comment"><p class="comment-author">observer77</p><p>Why is nobody talking about the mobilisation law? This is the real issue.</p></div>
</section>
</main>
<footer class="site-footer">
  <p>© 2024 Kharkiv Ledger. All rights reserved.</p>
  <ul><li><a href="{base}/about">About us</a></li><li><a href="{base}/contact">Contact</a></li>
  <li><a href="{base}/privacy">Privacy policy</a></li><li><a href="{base}/terms">Terms of use</a></li></ul>
</footer>
</body>
</html>"""


def courier_article(story: Story, base: str, *, path: str | None = None) -> str:
    """A page of host B: a WordPress-like theme, Open Graph only (and no date at all when the story says so)."""
    url = f"{base}{path or '/' + story.slug + '/'}"
    dated = (f'<meta property="article:published_time" content="{story.published}">\n'
             f'<meta property="article:modified_time" content="{story.modified}">') if story.page_metadata else ""
    posted = (f'<span class="posted-on">Posted on <time class="entry-date published" datetime="{story.published}">'
              f'{_human(story.published)}</time><time class="updated" datetime="{story.modified}">'
              f'{_human(story.modified)}</time></span>') if story.page_metadata else ""
    paragraphs = "\n".join(f"<p>{_e(p)}</p>" for p in story.lead + story.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>{_e(story.title)} &#8211; {COURIER}</title>
<link rel="canonical" href="{url}">
<meta property="og:locale" content="en_US">
<meta property="og:type" content="article">
<meta property="og:title" content="{_e(story.title)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{COURIER}">
{dated}
<link rel="stylesheet" href="{base}/wp-content/themes/courier/style.css">
</head>
<body class="post-template-default single single-post">
<div id="cookie-notice"><span>This site uses cookies. By continuing to browse the site you are agreeing to our use of cookies.</span> <a class="button">Got it</a></div>
<div id="page" class="site">
  <div class="site-header"><div class="site-branding"><p class="site-title"><a href="{base}/">{COURIER}</a></p>
    <p class="site-description">News from Donetsk and Luhansk regions</p></div>
    <div class="main-navigation"><ul class="menu"><li><a href="{base}/">Front page</a></li>
      <li><a href="{base}/category/front/">Front</a></li><li><a href="{base}/category/people/">People</a></li>
      <li><a href="{base}/category/business/">Business</a></li><li><a href="{base}/contacts/">Contacts</a></li></ul></div>
  </div>
  <div id="content" class="site-content"><div id="primary" class="content-area">
    <div class="post type-post status-publish hentry">
      <div class="entry-header"><h1 class="entry-title">{_e(story.title)}</h1>
        <div class="entry-meta">{posted}<span class="byline"> by <span class="author vcard">{_e(story.author)}</span></span></div></div>
      <div class="entry-content">
{paragraphs}
        <div class="newsletter-box"><h3>Get the morning briefing in your inbox</h3><form><input type="email"><button>Sign up</button></form></div>
        <div class="sharedaddy"><h3 class="sd-title">Share this:</h3><ul><li><a class="share-twitter">Tweet this</a></li><li><a class="share-telegram">Telegram</a></li></ul></div>
      </div>
      <div class="nav-links"><a rel="prev" href="{base}/older-post/">Previous post</a> <a rel="next" href="{base}/newer-post/">Next post</a></div>
    </div>
    <div id="comments" class="comments-area"><h2 class="comments-title">One thought on this story</h2>
      <ol class="comment-list"><li class="comment"><div class="comment-author vcard"><b class="fn">Halyna</b> says:</div>
        <div class="comment-content"><p>Thank you for the article, we pray for the defenders every day.</p></div></li></ol>
      <div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3></div></div>
  </div>
  <div id="secondary" class="widget-area"><div class="widget widget_top-posts"><h2 class="widget-title">Most read</h2>
    <ul>{''.join(f'<li><a href="{base}/p{i}/">{_e(t)}</a></li>' for i, t in enumerate(_COURIER_MOST_READ))}</ul></div></div>
  </div>
  <div class="site-footer"><div class="site-info">Donbas Courier is an independent regional newspaper. Reprints with a link to the source.</div></div>
</div>
</body>
</html>"""


def section_page(site: str, base: str, headlines: list[tuple[str, str]]) -> str:
    """A section front: navigation, a list of headlines, a footer, and no article at all."""
    items = "\n".join(f'<li class="teaser"><a href="{_e(href)}">{_e(title)}</a> <span class="ago">2 hours ago</span></li>'
                      for title, href in headlines)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>War | {site}</title>
<meta property="og:site_name" content="{site}"><meta property="og:type" content="website"></head>
<body><header><nav><ul><li><a href="{base}/">Home</a></li><li><a href="{base}/section/war">War</a></li>
<li><a href="{base}/section/politics">Politics</a></li></ul></nav></header>
<main><h1>War</h1><ul class="teasers">
{items}
</ul><a class="more" href="{base}/section/war?page=2">Load more</a></main>
<footer><p>© 2024 {site}. All rights reserved.</p></footer></body></html>"""


def _rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso))


def rss_feed(site: str, base: str, items: list[tuple[Story, str]]) -> str:
    """RSS 2.0; links carry tracking parameters, as feeds often do."""
    entries = "\n".join(f"""  <item>
    <title>{_e(s.title)}</title>
    <link>{_e(link)}?utm_source=rss&amp;utm_medium=feed</link>
    <guid isPermaLink="false">{_e(site.lower().replace(' ', '-'))}-{s.slug}</guid>
    <pubDate>{_rfc822(s.published)}</pubDate>
    <description>{_e(s.paragraphs[0][:140])}…</description>
  </item>""" for s, link in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>{_e(site)}</title>
  <link>{base}/</link>
  <description>Latest news from {_e(site)}</description>
  <language>en</language>
{entries}
</channel>
</rss>"""


def atom_feed(site: str, base: str, items: list[tuple[Story, str]]) -> str:
    """Atom 1.0 with relative links (resolved against xml:base), published and updated per entry."""
    entries = "\n".join(f"""  <entry>
    <title>{_e(s.title)}</title>
    <link rel="alternate" type="text/html" href="{_e(link.removeprefix(base))}"/>
    <id>tag:{base.split('//')[1].split(':')[0]},2024:{s.slug}</id>
    <published>{s.published}</published>
    <updated>{s.modified}</updated>
    <author><name>{_e(s.author)}</name></author>
    <summary>{_e(s.paragraphs[0][:140])}…</summary>
  </entry>""" for s, link in items)
    newest = max((s.modified for s, _ in items), default="2024-01-01T00:00:00+00:00")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/">
  <title>{_e(site)}</title>
  <link href="{base}/"/>
  <id>{base}/</id>
  <updated>{newest}</updated>
{entries}
</feed>"""


MALFORMED_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Broken</title>
<item><title>Unclosed <b>tag & stray ampersand</title><link>http://example.invalid/x
</channel>"""
