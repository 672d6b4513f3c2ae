"""Quoted and forwarded parts of a mail: where the newest text ends.

A reply or a forward carries an older message below (or, for ``>`` lines, among) the
new text. The extractors rank what they find there below the newest text, and answer
from it only with a lower confidence. Recognised, in the supported languages:

* text: forward separators (``---------- Forwarded message ---------``, ``Begin
  forwarded message:``, ``-----Original Message-----``), reply attributions (``On …
  wrote:``), Outlook header blocks (``From: … Sent: … To: … Subject:``), ``>`` lines;
* HTML: ``blockquote type=cite``, ``.gmail_quote``, Outlook's ``#divRplyFwdMsg`` /
  ``#appendonsend``, Thunderbird / Apple / Yahoo / Proton quote containers (recorded
  by the HTML renderer through :func:`html_marker`);
* the subject: ``Re:`` / ``Fwd:`` prefixes and their localised forms.

Everything here is one pass over lines of bounded length: linear in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

# a line longer than this is no separator, attribution nor header line
_MAX_MARKER_LINE = 300

# --------------------------------------------------------------------------- phrases
_FORWARD_PHRASES = (
    r"forwarded (?:message|e-?mail|mail)|original message|begin forwarded message"
    r"|weitergeleitete nachricht|ursprüngliche nachricht|anfang der weitergeleiteten"
    r"|message transféré|message d'origine|message réexpédié|message original"
    r"|mensaje reenviado|mensaje original|messaggio inoltrato|messaggio originale"
    r"|mensagem encaminhada|mensagem original|mensagem reencaminhada"
    r"|doorgestuurd bericht|oorspronkelijk bericht|origineel bericht"
    r"|пересылаемое сообщение|пересланное сообщение|исходное сообщение"
    r"|переадресованного сообщения|оригинальное сообщение|переслане повідомлення"
    r"|wiadomość przekazana|przekazywanej wiadomości|wiadomość oryginalna|oryginalna wiadomość"
    r"|yönlendirilen ileti|iletilen ileti|özgün ileti|orijinal mesaj|ileti yönlendirildi"
    r"|vidarebefordrat meddelande|ursprungligt meddelande|vidarebefordrat mejl"
    r"|videresendt meddelelse|oprindelig meddelelse|videresendt melding|opprinnelig melding"
    r"|välitetty viesti|alkuperäinen viesti|přeposlaná zpráva|původní zpráva"
    r"|továbbított üzenet|eredeti üzenet|mesaj redirecționat|mesajul original"
    r"|tin nhắn đã chuyển tiếp|thư gốc|pesan yang diteruskan|pesan asli|pesan terusan"
    r"|転送されたメッセージ|転送メッセージ|元のメッセージ|转发的邮件|原始邮件|轉寄的郵件"
    r"|转发邮件|原始郵件|轉發的郵件|전달된 메시지|원본 메시지|전달 메시지"
    r"|الرسالة المعاد توجيهها|الرسالة الأصلية|הודעה שהועברה|ההודעה המקורית"
    r"|अग्रेषित संदेश|मूल संदेश|ข้อความที่ส่งต่อ|ข้อความต้นฉบับ"
)


def _first_letters(phrases: str) -> str:
    """The characters the top-level alternatives of ``phrases`` start with."""
    firsts: set[str] = set()
    depth = 0
    start = True
    for ch in phrases:
        if start:
            firsts.add(ch)
            start = False
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            start = True
    return "".join(sorted(firsts))


# searched in lower case; the lookahead (each phrase starts with a plain letter) lets a
# position that starts none fail at once
_FORWARD = re.compile(rf"(?=[{re.escape(_first_letters(_FORWARD_PHRASES))}])(?:{_FORWARD_PHRASES})")
_DECOR = " \t-_=*:：<>[]()"

# "On … wrote:", "Am … schrieb …:", "Le … a écrit :", "… 于 … 写道：", "…님이 작성:"
_WROTE = re.compile(
    r"(?<![^\W\d_])(?:wrote|writes|schrieb|a écrit|escribió|ha scritto|scrive|escreveu"
    r"|schreef|пишет|написал\w*|писал\w*|napisał\w*|napisała|yazdı|skrev|kirjoitti"
    r"|napsal\w*|írta|a scris|đã viết|menulis|kirjutas)(?![^\W\d_])"
    r"|写道|寫道|님이 작성|작성:|のメッセージ|كتب|כתב|ने लिखा|เขียน",
    re.IGNORECASE,
)
_EMAILISH = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# header names of a quoted message's header block (Outlook, Apple, Thunderbird)
_FROM = (
    r"from|von|de|da|van|от|od|发件人|發件人|寄件者|差出人|送信者|보낸 사람|kimden|från|fra"
    r"|lähettäjä|feladó|de la|từ|dari|מאת|من|प्रेषक|จาก"
)
_OTHER = (
    r"sent|date|to|cc|subject|gesendet|datum|an|betreff|envoyé|date|à|objet|enviado|enviada"
    r"|fecha|para|asunto|inviato|data|a|oggetto|enviada em|assunto|verzonden|aan|onderwerp"
    r"|отправлено|дата|кому|тема|wysłano|wysłane|data|do|temat|发送时间|日期|收件人|主题|抄送"
    r"|傳送時間|收件者|主旨|送信日時|日付|宛先|件名|보낸 날짜|날짜|받는 사람|제목|gönderildi"
    r"|tarih|kime|konu|skickat|datum|till|ämne|sendt|dato|til|emne|lähetetty|päivämäärä"
    r"|vastaanottaja|aihe|odesláno|komu|předmět|elküldve|dátum|címzett|tárgy|trimis|către"
    r"|subiect|đã gửi|ngày|đến|chủ đề|dikirim|tanggal|kepada|subjek|perihal|נשלח|אל|נושא"
    r"|تاريخ|إلى|الموضوع|भेजा गया|प्रति|विषय|ส่ง|ถึง|เรื่อง"
)
_HEADER_FROM = re.compile(rf"^\s*\*?(?:{_FROM})\s?\*?\s?[:：]", re.IGNORECASE)
_HEADER_OTHER = re.compile(rf"^\s*\*?(?:{_OTHER})\s?\*?\s?[:：]", re.IGNORECASE)
# one-line header block: "From: x Sent: y To: z Subject: w"
_HEADER_INLINE = re.compile(rf"(?<![^\W\d_])(?:{_OTHER})\s?[:：]", re.IGNORECASE)

# "Re:", "Fwd:", "AW:", "WG:", "TR:", "RV:", "Enc:", "Odp:", "Отв:", "回复：", "転送:" …
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|tr|rv|rif|i|r|enc|res|doorst|antw|sv|vs|vl|vb|odp|pd|ynt"
    r"|ilt|İlt|отв|пер|пересл|fw|回复|回覆|答复|转发|轉寄|轉發|返信|転送|답장|전달|rép|réf"
    r"|trả lời|chuyển tiếp)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_FORWARD_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|antw|sv|vs|odp|отв|ynt|回复|回覆|答复|返信|답장)\s*[:：]\s*)*"
    r"(?:fwd?|wg|tr|rv|i|enc|doorst|vl|vb|pd|ilt|İlt|пер|пересл|转发|轉寄|轉發|転送|전달"
    r"|réf|chuyển tiếp)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]",
    re.IGNORECASE,
)


def subject_is_reply(subject: str) -> bool:
    """A ``Re:`` / ``Fwd:``-style subject: it names the older message, not a new one."""
    return _SUBJECT_PREFIX.match(subject[:200]) is not None


def subject_is_forward(subject: str) -> bool:
    """A ``Fwd:``-style subject (possibly after ``Re:``): the body forwards an older mail."""
    return _FORWARD_PREFIX.match(subject[:200]) is not None


# --------------------------------------------------------------------------- HTML
_QUOTE_CLASSES = (
    "gmail_quote",
    "yahoo_quoted",
    "moz-cite-prefix",
    "moz-forward-container",
    "protonmail_quote",
    "zmail_extra",
    "tutanota_quote",
    "fastmail_quote",
    "ms-outlook-mobile-reference-message",
    "outlookmessageheader",
    "mail-quote",
    "reply-quote",
)
# Outlook: an empty marker or the header block, after which all is the older message
_OPEN_ENDED_IDS = (
    "divrplyfwdmsg",
    "appendonsend",
    "stopspelling",
    "olk_src_body_section",
    "mail-editor-reference-message-container",
    "reply-intro",
)


# any of them anywhere in the attribute (as ``any(m in value for m in …)``)
_QUOTE_CLASS = re.compile("|".join(map(re.escape, _QUOTE_CLASSES)))
_OPEN_ENDED_ID = re.compile("|".join(map(re.escape, _OPEN_ENDED_IDS)))


def html_marker(tag: str, attrs: dict[str, str]) -> int:
    """0: an ordinary element; 1: it contains a quoted part; 2: all after it is quoted."""
    ident = attrs.get("id", "").lower()
    if ident and _OPEN_ENDED_ID.search(ident):
        return 2
    cls = attrs.get("class", "").lower()
    if cls and _QUOTE_CLASS.search(cls):
        return 1
    if tag == "blockquote" and attrs.get("type", "").lower() == "cite":
        return 1
    return 0


# --------------------------------------------------------------------------- text
def _forward_line(line: str) -> bool:
    core = line.strip(_DECOR)
    if not core or len(core) > 80:
        return False
    stripped = line.strip()
    decorated = stripped[:1] in "-_=*<" or stripped.endswith((":", "："))
    if not decorated and len(core) > 60:
        return False  # an undecorated marker is the phrase alone
    m = _FORWARD.search(core.lower().replace("i\u0307", "i"))
    if m is None:
        return False
    return decorated or len(core) - (m.end() - m.start()) <= 12


def _attribution(line: str, nxt: str) -> bool:
    stripped = line.rstrip()
    if not stripped.endswith((":", "：")):
        return False
    if _WROTE.search(stripped):
        return True
    # "2024年6月3日(月) 10:00 Acme <a@b.c>:", "пн, 3 июн. 2024 г. в 10:00, Acme <a@b.c>:"
    return (
        _EMAILISH.search(stripped) is not None
        and any(c.isdigit() for c in stripped.split("<")[0])
        and nxt.lstrip().startswith(">")
    )


def _header_block(lines: list[str], i: int) -> bool:
    line = lines[i]
    if ":" not in line[:40] and "：" not in line[:40]:
        return False
    if not _HEADER_FROM.match(line):
        return False
    if len(_HEADER_INLINE.findall(line[:_MAX_MARKER_LINE])) >= 2:
        return True
    others = 0
    seen = 0
    j = i + 1
    while j < len(lines) and seen < 6:
        nxt = lines[j]
        j += 1
        if not nxt.strip():
            continue
        seen += 1
        if len(nxt) <= _MAX_MARKER_LINE and _HEADER_OTHER.match(nxt[:40]):
            others += 1
            if others >= 2:
                return True
        elif others == 0 and seen >= 2:
            return False
    return False


@lru_cache(maxsize=32)
def quoted_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """Character ranges of ``text`` that belong to a quoted or forwarded message.

    A forward separator, an Outlook header block or a reply attribution not followed
    by ``>`` lines opens a range to the end of the text; ``>`` lines are ranges of
    their own (new text may follow them).
    """
    lines = text.split("\n")
    out: list[tuple[int, int]] = []
    pos = 0
    quote_from = -1  # start of a run of ">" lines
    for i, line in enumerate(lines):
        end = pos + len(line)
        head = line.lstrip(" \t")
        if head.startswith(">"):
            if quote_from < 0:
                quote_from = pos
            pos = end + 1
            continue
        if quote_from >= 0:
            out.append((quote_from, pos))
            quote_from = -1
        if len(line) <= _MAX_MARKER_LINE and head:
            if _forward_line(line) or _header_block(lines, i):
                out.append((pos, len(text)))
                return tuple(out)
            nxt = ""
            if line.rstrip().endswith((":", "：")):  # else no attribution: no need
                for k in range(i + 1, min(len(lines), i + 4)):
                    if lines[k].strip():
                        nxt = lines[k]
                        break
            if _attribution(line, nxt):
                if nxt.lstrip().startswith(">"):
                    quote_from = pos
                else:
                    out.append((pos, len(text)))
                    return tuple(out)
        pos = end + 1
    if quote_from >= 0:
        out.append((quote_from, len(text)))
    return tuple(out)


class Quoted:
    """Membership test for offsets in a set of (possibly overlapping) quoted ranges."""

    def __init__(self, *range_lists: tuple[tuple[int, int], ...] | list[tuple[int, int]]):
        spans = sorted(r for ranges in range_lists for r in ranges if r[1] > r[0])
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                if b > merged[-1][1]:
                    merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def __contains__(self, pos: int) -> bool:
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and pos < self.ends[k]
