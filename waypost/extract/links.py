"""Magic-link extraction: gather links, unwrap trackers, score, calibrate."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ._limits import MAX_LINKS, MAX_SUBJECT_CHARS, MAX_URL_CHARS, Work
from ._model import Candidate, Extraction, MailContent
from ._text import factor, first_chars, normalize, parse_html, plain_text
from ._url import Caseless, query_pairs, unwrap
from .applinks import app_scheme, app_urls
from .confidence import confidences
from .otp import finished_transaction, meeting_text
from .quoted import Quoted, quoted_ranges, subject_is_forward

_ACTION = (
    r"verif\w*|confirm\w*|activat\w*|validat\w*|sign[ -]?in|sign[ -]?on|log[ -]?in|magic link"
    r"|reset\w*|set (?:up )?(?:a |your |new )*password|create (?:a |your )?password"
    r"|choose (?:a |your |new )*password|new password|change (?:your )?password"
    r"|accept (?:the )?invit\w*|join|complete (?:your )?(?:registration|sign[ -]?up)"
    r"|get started|continue|authori[sz]e|approve|claim|bestätig\w*|verifizier\w*"
    r"|aktivier\w*|anmelden|einloggen|zurücksetzen|einladung annehmen|passwort"
    r"|confirmer|vérifier|valider|activer|se connecter|connexion|réinitialiser|accepter"
    r"|confirmar|verificar|activar|iniciar sesión|restablecer|acceder|validar|ativar|entrar"
    r"|redefinir|acessar|conferma\w*|verifica\w*|attiva\w*|accedi|reimposta\w*|convalida"
    r"|подтверд\w*|войти|сброс\w*|активир\w*|восстанов\w*|weryfik\w*|potwierd\w*|zaloguj\w*|aktywuj\w*"
    r"|doğrula\w*|onayla\w*|etkinleştir\w*|giriş yap\w*|sıfırla\w*"
    r"|bevestig\w*|inloggen|aanmelden|verifiera|bekräfta|logga in|aktivera|återställ\w*"
    r"|bekræft\w*|log ind|aktivér|aktiver|bekreft\w*|logg inn|vahvista\w*|kirjaudu\w*"
    r"|aktivoi\w*|ověřit|potvrdit|přihlásit|aktivovat|obnovit|megerősít\w*|bejelentkez\w*"
    r"|aktivál\w*|ellenőriz\w*|confirmă|confirma|verifică|activează|autentific\w*"
    r"|resetează|підтверд\w*|увійти|активуват\w*|xác nhận|xác minh|đăng nhập|kích hoạt"
    r"|verifikasi|konfirmasi|masuk|aktifkan|sahkan"
    r"|herstel\w*|opnieuw instellen|wachtwoord (?:instellen|wijzigen)|zresetuj\w*|resetuj\w*"
    r"|ustaw nowe hasło|nulstil\w*|tilbakestill\w*|nollaa|palauta\w*|visszaállít\w*"
    r"|скинут\w*|відновит\w*|đặt lại|atur ulang|setel ulang|redefinição|recupera\w*"
)
_ACTION_CJK = (
    r"確認|認証|ログイン|リセット|有効化|再設定|验证|驗證|确认|登录|登入|重置|激活|啟用|启用"
    r"|인증|확인|로그인|재설정|활성화|تأكيد|تفعيل|تسجيل الدخول|التحقق|אימות|אשר|אישור|התחבר"
    r"|הפעל|सत्यापित|पुष्टि|लॉग इन|साइन इन|सक्रिय|ยืนยัน|เข้าสู่ระบบ|เปิดใช้งาน"
    r"|إعادة تعيين|استعادة|איפוס|אפס|रीसेट|รีเซ็ต|ตั้งรหัสผ่านใหม่"
)
_NEG_WORDS = (
    r"unsubscribe\w*|opt[ -]?out|preferences?|manage (?:your )?(?:email|subscription|"
    r"notification)\w*|privacy|terms|legal|policy|help|support|faq|contact|about|blog"
    r"|careers|jobs|press|status|docs|documentation|community|forum|feedback|survey"
    r"|view (?:it )?(?:in|on) (?:your |a )?browser|view online|web ?version|not you|"
    r"wasn'?t (?:me|you)|report|secure (?:your )?account|cancel|decline|deny|block|abuse"
    r"|download|app store|google play|abmelden|abbestellen|datenschutz|impressum|hilfe"
    r"|désabonner|désinscri\w*|confidentialité|aide|darse de baja|privacidad|ayuda"
    r"|disiscriviti|annulla iscrizione|cancelar (?:a )?inscrição|отписаться|配信停止"
    r"|退订|取消订阅|수신 ?거부|プライバシー|隐私|개인정보"
)
_TEXT_ACTION = re.compile(
    rf"(?<![^\W\d_]){first_chars(_ACTION)}(?:{factor(_ACTION)})(?![^\W\d_])"
    rf"|{first_chars(_ACTION_CJK)}(?:{factor(_ACTION_CJK)})",
    re.IGNORECASE,
)
_CONTENT_ANCHOR = re.compile(
    r"\s*(?:view|read|see|reply|track|shop|watch|listen|browse|ansehen|anzeigen|lesen|voir"
    r"|lire|ver|leer|vedi|leggi)(?![^\W\d_])(?!.*(?:https?://|www\.))",
    re.IGNORECASE,
)
_TEXT_NEG = re.compile(
    rf"(?<![^\W\d_]){first_chars(_NEG_WORDS)}(?:{factor(_NEG_WORDS)})(?![^\W\d_])",
    re.IGNORECASE,
)
# URL patterns: case-insensitive, asked whether they occur (see Caseless)
_URL_ACTION = Caseless(
    r"verif|confirm|activat|validat|magic|login|log-in|signin|sign-in|sign_in|/auth|auth/"
    r"|reset|password|passwd|invit|accept|token|otp|action|callback|onboard|register"
    r"|passwordless|one-?time|approve|claim|redeem|session|email-?link|welcome|join"
    r"|potwierdz|dogrula|onayla|bevestig|bekraft|bekreft|vahvist|overit|aktiv|bestaetig"
    r"|bestatig|weryfik|confirma|verifica|ativa|herstel|wachtwoord|passwort|contrasena"
    r"|senha|haslo|parola|salasana|losenord|adgangskode|passord|heslo|jelszo|sifre"
)
_URL_NEG = Caseless(
    r"unsubscribe|opt-?out|optout|preferences|subscription|privacy|terms|legal|/policy"
    r"|/help|support|/faq|/contact|/about|/blog|careers|/jobs|/press|/status|/docs|forum"
    r"|feedback|survey|webversion|web-version|view-?online|view-?in-?browser|notme|not-you"
    r"|report|secure-?account|/cancel|/decline|abuse|/download|/settings|/notifications"
)
_SOCIAL = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "instagram.com",
    "youtube.com",
    "tiktok.com",
    "pinterest.com",
    "discord.gg",
    "t.me",
    "medium.com",
    "reddit.com",
    "apps.apple.com",
    "itunes.apple.com",
    "play.google.com",
    "wa.me",
    "threads.net",
    "weibo.com",
    "line.me",
    "vk.com",
)
# a host that is one of _SOCIAL or a subdomain of one
_SOCIAL_HOST = re.compile(r"(?:^|\.)(?:" + "|".join(map(re.escape, _SOCIAL)) + r")\Z")
_IMAGE = Caseless(r"\.(?:png|jpe?g|gif|svg|webp|ico|bmp|css|js)(?:$|\?)")
_TEXT_URL = re.compile(r"https?://[!-~]+", re.IGNORECASE)
_MD_LABEL = re.compile(r"\[([^\]]{1,80})\]\($")


@dataclass
class _Link:
    url: str
    shown: str
    text: str
    context: str
    source: str
    unwrapped: bool = False
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    quoted: bool = False  # in a quoted / forwarded part of the mail
    app: bool = False  # a custom-scheme deep link (myapp://reset?code=…)


def _clean_text_url(url: str) -> str:
    url = url.rstrip(".,;:!?*'\"»>")
    # unbalanced closing brackets are punctuation around the URL (counted once: the
    # characters stripped in between are no brackets)
    opened, closed = url.count("("), url.count(")")
    while url.endswith(")") and opened < closed:
        url = url[:-1].rstrip(".,;:!?*'\"")
        closed -= 1
    opened, closed = url.count("["), url.count("]")
    while url.endswith("]") and opened < closed:
        url = url[:-1]
        closed -= 1
    return url.replace("&amp;", "&")


_TOKEN_PARAM = frozenset(
    {
        "token",
        "key",
        "code",
        "otp",
        "t",
        "sig",
        "signature",
        "hash",
        "nonce",
        "ticket",
        "k",
        "auth",
        "oobcode",
        "confirmation_token",
        "reset_token",
        "magic",
        "h",
        "secret",
        "jwt",
    }
)


def _tokenish(value: str, name: str = "") -> bool:
    if name.startswith("utm_"):
        return False
    if name in _TOKEN_PARAM and len(value) >= 6:
        return True
    if len(value) < 8:
        return False
    if len(value) >= 24 or value.startswith("eyJ"):
        return True
    letters = sum(c.isalpha() for c in value)
    digits = sum(c.isdigit() for c in value)
    if len(value) < 10:
        upper = sum(c.isupper() for c in value)
        return letters >= 3 and digits >= 2 and 0 < upper < letters
    return letters >= 3 and digits >= 2


_SENDER_DOMAIN = re.compile(r"@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go"})


def _site(host: str) -> str:
    """Registrable part of a host name, roughly (``id.vk.com`` → ``vk.com``)."""
    labels = host.lower().rstrip(".").split(".")
    n = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-n:])


def _sender_site(sender: str) -> str:
    m = _SENDER_DOMAIN.search(sender or "")
    return _site(m.group(1)) if m else ""


def _fragment(fragment: str) -> tuple[str, str]:
    """(route, parameters) written after "#": ``#token=…``, ``#/verify/…?code=…``.

    A plain anchor (``#section-2``) is neither: only key=value pairs and a route that
    starts with "/" are read.
    """
    route, _, query = fragment.partition("?")
    if not query and "=" in route:
        return "", route
    return (route if route.startswith("/") else ""), query


def _score(link: _Link, subject_action: bool, sender_site: str = "") -> None:
    s = -1.0
    why = link.reasons
    try:
        parts = urlsplit(link.url)
    except ValueError:
        link.score = -10.0
        return
    host = (parts.hostname or "").lower()
    if link.app:
        # myapp://reset-password?code=…: the "host" is the app's first path segment
        host, parts = "", parts._replace(path="/" + parts.netloc + parts.path)
    elif parts.scheme.lower() not in ("http", "https") or not host:
        link.score = -10.0
        return
    text = link.text
    m = _TEXT_ACTION.search(text)
    if m and len(text) <= 80:
        s += 3.0
        why.append(f"anchor '{text[:40]}'")
    elif m:
        s += 1.2
    if _TEXT_NEG.search(text) and not m:
        s -= 4.0
        why.append("footer-like anchor")
    elif not m and _CONTENT_ANCHOR.match(text):
        # "View message", "Read more", "Track package": opens content, signs nobody in
        s -= 2.0
        why.append("content anchor")
    path_q = parts.path + "?" + parts.query
    if parts.fragment:
        path_q += "#" + parts.fragment
    if _URL_ACTION.search(path_q):
        s += 1.8
        why.append("action words in URL")
    if _URL_NEG.search(path_q):
        s -= 4.0
        why.append("footer-like URL")
    # a social network's own mail (VK, LinkedIn, Reddit…) links to its own site
    social = bool(host) and _SOCIAL_HOST.search(host) is not None
    if _IMAGE.search(parts.path):
        s -= 5.0
        why.append("image/static file")
    frag_path, frag_query = _fragment(parts.fragment)
    token = (
        any(
            _tokenish(v, k.lower())
            for query in (parts.query, frag_query)
            for k, v in query_pairs(query)
        )
        or any(_tokenish(seg) for seg in parts.path.split("/"))
        or any(_tokenish(seg) for seg in frag_path.split("/"))
    )
    if token:
        s += 1.5
        why.append("carries a token")
    else:
        s -= 1.0
    if social and _site(host) != sender_site:
        # footer icons (profile pages) carry no token nor action path; a social network's
        # own tokenised verify link (possibly sent from another mail domain) is kept
        s -= 1.5 if token and _URL_ACTION.search(path_q) else 6.0
        why.append("social/app-store")
    if parts.path in ("", "/") and not parts.query and not link.app:
        s -= 2.5
        why.append("homepage")
    ctx = link.context[-120:]
    if s > -3 and _TEXT_ACTION.search(ctx):
        s += 2.0 if not text else 1.2
        why.append("introduced by action text")
    if subject_action and s > 0:
        s += 0.6
    if not token and not link.unwrapped:
        # no token, no tracker: a plain page (help, settings, "change password"), which
        # cannot sign anyone in, so never confident
        s = min(s, 1.4)
    if link.app:
        # opens only where the app is installed: an https link doing the job wins
        s += APP_PENALTY
        why.append("app link")
    link.score = s


# characters before a URL written in plain text where its label is looked for
# ("Verify: <url>", "[Verify](<url>)"); a label is at most 60 characters
_LABEL_REACH = 256


def _gather(content: MailContent) -> tuple[list[_Link], list[str]]:
    """Links in reading order: HTML anchors, URLs in the HTML's text, in the plain text.

    At most ``MAX_LINKS`` are returned; URLs over ``MAX_URL_CHARS`` are skipped.
    """
    out: list[_Link] = []
    texts: list[str] = []
    if content.html and content.html.strip():
        vis = parse_html(content.html)
        texts.append(vis.text)
        quoted = Quoted(vis.quoted, quoted_ranges(vis.text))
        linked: set[str] = set()
        for lk in vis.links:
            href = lk.href.strip()
            app = not href.lower().startswith(("http://", "https://"))
            if app and not app_scheme(href):
                continue
            if len(href) > MAX_URL_CHARS or len(out) >= MAX_LINKS:
                continue
            url, changed = (href, False) if app else unwrap(href)
            text = " ".join(x for x in (lk.text, lk.alt, lk.title) if x)
            if lk.has_img and not lk.text:
                text = lk.alt
            out.append(
                _Link(
                    url=url,
                    shown=href,
                    text=text,
                    unwrapped=changed,
                    context=vis.text[max(0, lk.start - 200) : lk.start],
                    source="html",
                    quoted=lk.start in quoted,
                    app=app,
                )
            )
            linked.add(href)
        for start, end, app in _text_urls(vis.text):
            if len(out) >= MAX_LINKS:
                break
            if end - start > MAX_URL_CHARS:
                continue
            raw = _clean_text_url(vis.text[start:end])
            if raw in linked:
                continue
            url, changed = (raw, False) if app else unwrap(raw)
            out.append(
                _Link(
                    url=url,
                    shown=raw,
                    text="",
                    unwrapped=changed,
                    context=vis.text[max(0, start - 200) : start],
                    source="html",
                    quoted=start in quoted,
                    app=app,
                )
            )
    if content.text and content.text.strip():
        text = plain_text(content.text)
        texts.append(text)
        quoted = Quoted(quoted_ranges(text))
        for start, end, app in _text_urls(text):
            if len(out) >= MAX_LINKS:
                break
            if end - start > MAX_URL_CHARS:
                continue
            raw = _clean_text_url(text[start:end])
            url, changed = (raw, False) if app else unwrap(raw)
            # "Verify: <url>" or markdown [Verify](url), within the line's last characters
            reach = max(0, start - _LABEL_REACH)
            line_start = text.rfind("\n", reach, start) + 1 or reach
            before = text[line_start:start]
            anchor = before.strip(" \t<([:")
            if line_start == reach and reach > 0 and text[reach - 1] != "\n":
                anchor = ""  # a long line goes on before the window: no short label
            md = _MD_LABEL.search(before)
            if md:
                anchor = md.group(1)
            out.append(
                _Link(
                    url=url,
                    shown=raw,
                    text=anchor if len(anchor) <= 60 else "",
                    unwrapped=changed,
                    context=text[max(0, start - 200) : start],
                    source="text",
                    quoted=start in quoted,
                    app=app,
                )
            )
    return out, texts


def _text_urls(text: str) -> list[tuple[int, int, bool]]:
    """http(s) URLs and app links written in a text, in reading order (start, end, app)."""
    found = [(m.start(), m.end(), False) for m in _TEXT_URL.finditer(text)]
    if len(found) < MAX_LINKS:
        found.extend((a, b, True) for a, b in app_urls(text, MAX_LINKS - len(found)))
        found.sort()
    return found


# Platt-style fit (smoothed targets) on the dev corpus + tests/extract/cases.py gave
# slope 0.7, midpoint 1.5, temperature 0.5; slope/midpoint are nudged to be conservative
# at the top (0.9 needs score ≥ 4.5: an action anchor or URL plus a token).
SLOPE = 0.8
MIDPOINT = 1.8
TEMPERATURE = 0.5
# an app link opens only where the app is installed
APP_PENALTY = -1.0
# an https link scoring this much does the job: app links are then left out
HTTPS_DOES_THE_JOB = 2.5
# a link in a quoted / forwarded part: ranked below the newest text, never confident
QUOTED_PENALTY = -2.5
QUOTED_SCALE = 0.7
QUOTED_CAP = 0.6


def _rank(ranked: list[tuple[float, _Link]]) -> list[tuple[float, _Link]]:
    """App links only when no https link does the job; quoted links below new ones."""
    web = max((s for s, lk in ranked if not lk.app and not lk.quoted), default=None)
    if web is not None and web >= HTTPS_DOES_THE_JOB:
        ranked = [(s, lk) for s, lk in ranked if not lk.app]
    fresh = max((s for s, lk in ranked if not lk.quoted), default=None)
    if fresh is None or fresh < MIDPOINT:
        return ranked
    return [(min(s, fresh - 2.0) if lk.quoted else s, lk) for s, lk in ranked]


def extract_magic_link(content: MailContent, work: Work | None = None) -> Extraction:
    """Find the verification / sign-in / reset link; unwraps click-trackers when possible.

    Scores at most ``MAX_LINKS`` links from bounded parts (see :mod:`._limits`);
    ``work``, when given, counts what was looked at.
    """
    subject = normalize((content.subject or "")[:MAX_SUBJECT_CHARS])[:MAX_SUBJECT_CHARS]
    subject_action = bool(_TEXT_ACTION.search(subject))
    links, texts = _gather(content)
    sender_site = _sender_site((content.sender or "")[:MAX_SUBJECT_CHARS])
    if work is not None:
        work.chars += len(subject) + sum(len(t) for t in texts)
        work.links += len(links)
        work.url_chars += sum(len(lk.shown) for lk in links)
    # a meeting invitation's join link, a booking's "view itinerary": not sign-in links
    doc_pen = 0.0
    if any(meeting_text(t) for t in texts):
        doc_pen -= 3.0
    if finished_transaction(subject):
        doc_pen -= 2.0
    best: dict[str, _Link] = {}
    sources: dict[str, set[str]] = {}
    for lk in links:
        _score(lk, subject_action, sender_site)
        lk.score += doc_pen
        if lk.quoted and lk.score > -9:
            lk.score += QUOTED_PENALTY
            lk.reasons.append("quoted/forwarded part")
        sources.setdefault(lk.url, set()).add(lk.source)
        cur = best.get(lk.url)
        if cur is None or lk.score > cur.score:
            best[lk.url] = lk
    ranked: list[tuple[float, _Link]] = []
    for url, lk in best.items():
        bonus = 0.3 if len(sources[url]) > 1 and lk.score > 0 else 0.0
        if lk.score > -9:
            ranked.append((lk.score + bonus, lk))
    ranked = _rank(ranked)
    ranked.sort(key=lambda t: -t[0])
    ranked = ranked[:5]
    if not ranked:
        return Extraction(type="magic_link", value=None, confidence=0.0, candidates=[])
    confs = confidences(
        [s for s, _ in ranked], slope=SLOPE, midpoint=MIDPOINT, temperature=TEMPERATURE
    )
    cands = [
        Candidate(
            value=lk.url,
            confidence=c,
            reason=(", ".join(lk.reasons) or "no signal")
            + (", unwrapped tracker" if lk.unwrapped else "")
            + f" (score {s:.1f})",
        )
        for (s, lk), c in zip(ranked, confs, strict=True)
    ]
    top = cands[0]
    forwarded = subject_is_forward(content.subject or "") and not any(lk.quoted for lk in links)
    if ranked[0][1].quoted or forwarded:
        conf = round(min(QUOTED_CAP, top.confidence * QUOTED_SCALE), 4)
        top = Candidate(value=top.value, confidence=conf, reason=top.reason + ", older message")
        cands[0] = top
    if top.confidence < 0.05:
        return Extraction(type="magic_link", value=None, confidence=0.0, candidates=cands)
    return Extraction(
        type="magic_link", value=top.value, confidence=top.confidence, candidates=cands
    )
