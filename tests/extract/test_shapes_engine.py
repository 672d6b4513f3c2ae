"""Development tests for the shapes of issue 13: long / grouped alphanumeric codes,
custom-scheme app links, quoted and forwarded mail, promotional codes (14 languages)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from waypost.extract import MailContent, content_from_bytes, extract


@dataclass(frozen=True)
class Lang:
    code: str
    subject: str  # a verification subject
    label: str  # "Your verification code is:" (the code follows)
    reset: str  # anchor text of a reset / sign-in link
    forward: str  # the forward separator line (Gmail)
    wrote: str  # a reply attribution line
    headers: tuple[str, str, str, str]  # From / Sent / To / Subject (Outlook)
    original: str  # "-----Original Message-----"
    promo: str  # a promotional sentence around {p}
    promo_label: str  # a label line introducing a promotional code on the next line
    thanks: str  # a short new top text without any code


SENDER = "Acme <no-reply@acme.com>"

LANGS = [
    Lang(
        "en",
        "Your verification code",
        "Your verification code is:",
        "Reset password",
        "---------- Forwarded message ---------",
        "On Mon, Jun 3, 2024 at 10:00 AM Acme <no-reply@acme.com> wrote:",
        ("From", "Sent", "To", "Subject"),
        "-----Original Message-----",
        "Use code {p} at checkout for 10% off your next order.",
        "Your discount code:",
        "Thanks, see the mail below.",
    ),
    Lang(
        "de",
        "Ihr Bestätigungscode",
        "Ihr Bestätigungscode lautet:",
        "Passwort zurücksetzen",
        "---------- Weitergeleitete Nachricht ---------",
        "Am Mo., 3. Juni 2024 um 10:00 Uhr schrieb Acme <no-reply@acme.com>:",
        ("Von", "Gesendet", "An", "Betreff"),
        "-----Ursprüngliche Nachricht-----",
        "Mit dem Rabattcode {p} sparst du 10 % auf deine nächste Bestellung.",
        "Dein Gutscheincode:",
        "Danke, siehe die Nachricht unten.",
    ),
    Lang(
        "fr",
        "Votre code de vérification",
        "Votre code de vérification :",
        "Réinitialiser le mot de passe",
        "---------- Message transféré ---------",
        "Le lun. 3 juin 2024 à 10:00, Acme <no-reply@acme.com> a écrit :",
        ("De", "Envoyé", "À", "Objet"),
        "-----Message d'origine-----",
        "Utilisez le code promo {p} pour 10 % de réduction.",
        "Votre code de réduction :",
        "Merci, voir le message ci-dessous.",
    ),
    Lang(
        "es",
        "Tu código de verificación",
        "Tu código de verificación es:",
        "Restablecer contraseña",
        "---------- Mensaje reenviado ---------",
        "El lun, 3 jun 2024 a las 10:00, Acme (<no-reply@acme.com>) escribió:",
        ("De", "Enviado", "Para", "Asunto"),
        "-----Mensaje original-----",
        "Usa el código de descuento {p} y ahorra un 10 %.",
        "Tu cupón de descuento:",
        "Gracias, mira el mensaje de abajo.",
    ),
    Lang(
        "it",
        "Il tuo codice di verifica",
        "Il tuo codice di verifica è:",
        "Reimposta password",
        "---------- Messaggio inoltrato ---------",
        "Il giorno lun 3 giu 2024 alle ore 10:00 Acme <no-reply@acme.com> ha scritto:",
        ("Da", "Inviato", "A", "Oggetto"),
        "-----Messaggio originale-----",
        "Usa il codice sconto {p} per risparmiare il 10 %.",
        "Il tuo codice sconto:",
        "Grazie, vedi il messaggio sotto.",
    ),
    Lang(
        "pt",
        "Seu código de verificação",
        "Seu código de verificação é:",
        "Redefinir senha",
        "---------- Mensagem encaminhada ---------",
        "Em seg., 3 de jun. de 2024 às 10:00, Acme <no-reply@acme.com> escreveu:",
        ("De", "Enviado", "Para", "Assunto"),
        "-----Mensagem original-----",
        "Use o cupom de desconto {p} e ganhe 10 % na próxima compra.",
        "Seu cupom de desconto:",
        "Obrigado, veja a mensagem abaixo.",
    ),
    Lang(
        "nl",
        "Je verificatiecode",
        "Je verificatiecode is:",
        "Inloggen",
        "---------- Doorgestuurd bericht ---------",
        "Op ma 3 jun 2024 om 10:00 schreef Acme <no-reply@acme.com>:",
        ("Van", "Verzonden", "Aan", "Onderwerp"),
        "-----Oorspronkelijk bericht-----",
        "Gebruik kortingscode {p} en krijg 10 % korting.",
        "Je kortingscode:",
        "Bedankt, zie het bericht hieronder.",
    ),
    Lang(
        "ru",
        "Ваш код подтверждения",
        "Ваш код подтверждения:",
        "Сбросить пароль",
        "---------- Пересылаемое сообщение ---------",
        "3 июня 2024 г., 10:00, Acme <no-reply@acme.com> пишет:",
        ("От", "Отправлено", "Кому", "Тема"),
        "-----Исходное сообщение-----",
        "Промокод {p} даёт скидку 10 % на следующий заказ.",
        "Ваш промокод:",
        "Спасибо, смотрите письмо ниже.",
    ),
    Lang(
        "pl",
        "Twój kod weryfikacyjny",
        "Twój kod weryfikacyjny to:",
        "Zaloguj się",
        "---------- Wiadomość przekazana dalej ---------",
        "W dniu 3.06.2024 o 10:00 Acme <no-reply@acme.com> napisał(a):",
        ("Od", "Wysłano", "Do", "Temat"),
        "-----Wiadomość oryginalna-----",
        "Użyj kodu rabatowego {p}, aby otrzymać 10 % zniżki.",
        "Twój kod rabatowy:",
        "Dzięki, zobacz wiadomość poniżej.",
    ),
    Lang(
        "ja",
        "認証コードのお知らせ",
        "認証コード：",
        "パスワードをリセット",
        "---------- 転送されたメッセージ ---------",
        "2024年6月3日(月) 10:00 Acme <no-reply@acme.com>:",
        ("差出人", "送信日時", "宛先", "件名"),
        "-----元のメッセージ-----",
        "クーポンコード {p} で10%オフ。",
        "クーポンコード：",
        "ありがとうございます。下のメールをご覧ください。",
    ),
    Lang(
        "zh",
        "您的验证码",
        "您的验证码是：",
        "重置密码",
        "---------- 转发的邮件 ---------",
        "Acme <no-reply@acme.com> 于2024年6月3日周一 10:00写道：",
        ("发件人", "发送时间", "收件人", "主题"),
        "-----原始邮件-----",
        "使用优惠码 {p} 立享九折。",
        "您的优惠码：",
        "谢谢，请看下面的邮件。",
    ),
    Lang(
        "ko",
        "인증 코드 안내",
        "인증 코드:",
        "비밀번호 재설정",
        "---------- 전달된 메시지 ---------",
        "2024년 6월 3일 (월) 오전 10:00, Acme <no-reply@acme.com>님이 작성:",
        ("보낸 사람", "보낸 날짜", "받는 사람", "제목"),
        "-----원본 메시지-----",
        "할인 코드 {p} 로 10% 할인 받으세요.",
        "쿠폰 코드:",
        "감사합니다. 아래 메일을 확인하세요.",
    ),
    Lang(
        "tr",
        "Doğrulama kodunuz",
        "Doğrulama kodunuz:",
        "Şifreyi sıfırla",
        "---------- Yönlendirilen ileti ---------",
        "3 Haz 2024 Pzt, 10:00 tarihinde Acme <no-reply@acme.com> şunu yazdı:",
        ("Kimden", "Gönderildi", "Kime", "Konu"),
        "-----Özgün İleti-----",
        "İndirim kodu {p} ile %10 tasarruf edin.",
        "İndirim kodunuz:",
        "Teşekkürler, aşağıdaki iletiye bakın.",
    ),
    Lang(
        "sv",
        "Din verifieringskod",
        "Din verifieringskod är:",
        "Logga in",
        "---------- Vidarebefordrat meddelande ---------",
        "mån 3 juni 2024 kl. 10:00 skrev Acme <no-reply@acme.com>:",
        ("Från", "Skickat", "Till", "Ämne"),
        "-----Ursprungligt meddelande-----",
        "Använd rabattkoden {p} för 10 % rabatt.",
        "Din rabattkod:",
        "Tack, se meddelandet nedan.",
    ),
]
IDS = [lang.code for lang in LANGS]


def mc(subject: str, text: str | None = None, html: str | None = None) -> MailContent:
    return MailContent(subject=subject, sender=SENDER, text=text, html=html)


def otp(content: MailContent) -> tuple[str | None, float]:
    r = extract(content, "otp")
    return r.value, r.confidence


def link(content: MailContent) -> tuple[str | None, float]:
    r = extract(content, "magic_link")
    return r.value, r.confidence


def nothing(result: tuple[str | None, float]) -> bool:
    value, confidence = result
    return value is None or confidence < 0.5


# ------------------------------------------------------------------ 1. alphanumeric codes
LONG = "Jp2ABW17qTpqT0Bh8bSE"
GROUPED = {"EKHOE-DIOBD": "EKHOEDIOBD", "7KX2-9QP4": "7KX29QP4", "QX4T-7BNP-K2MZ": "QX4T7BNPK2MZ"}


@pytest.mark.parametrize("lang", LANGS, ids=IDS)
def test_long_mixed_case_code(lang: Lang) -> None:
    inline = mc(lang.subject, text=f"{lang.label} {LONG}\n\n{lang.thanks}")
    assert otp(inline)[0] == LONG
    alone = mc(lang.subject, html=f"<p>{lang.label}</p><p><strong>{LONG}</strong></p>")
    value, confidence = otp(alone)
    assert value == LONG and confidence >= 0.7


@pytest.mark.parametrize("lang", LANGS, ids=IDS)
@pytest.mark.parametrize("written", GROUPED)
def test_grouped_code(lang: Lang, written: str) -> None:
    inline = mc(lang.subject, text=f"{lang.label} {written}\n")
    assert otp(inline)[0] == GROUPED[written]
    alone = mc(lang.subject, text=f"{lang.label}\n\n    {written}\n\n")
    value, confidence = otp(alone)
    assert value == GROUPED[written] and confidence >= 0.7


NOT_CODES = [
    "Release notes: version v2.14.3 is out; the code now builds on ARM.",
    "Your code was merged in commit 3f9c2e1b7d4a8e6f0c1d2b3a4e5f6a7b8c9d0e1f (a3f9c2e1b7d4).",
    "Build number: BLD-8842-QX7T. Your code is deployed.",
    "Order number: ORD7KX29QP4XZ. Discount code applied.",
    "Invoice INV-2024-00123 for code review services, due 2024-07-01.",
    "Ticket ZD-48213-AQ: code review requested.",
    "Tracking number: 1Z999AA10123456784. Use the code on the carrier site.",
    "Code review on 2024-06-03 at 10:00; price $129.99; call +1 415 555 0132.",
    "Your code sample: Jp2ABW17qTpqT0Bh8bSE was shared by a colleague in the project README.",
]


@pytest.mark.parametrize("text", NOT_CODES)
def test_not_a_verification_code(text: str) -> None:
    assert nothing(otp(mc("Weekly project update", text=text))), otp(
        mc("Weekly project update", text=text)
    )


def test_code_beside_ids_and_versions() -> None:
    text = (
        "App v2.14.3 (build 8842, commit a3f9c2e1b7d4)\nOrder ORD-48213\n\n"
        "Your verification code: 7KX2-9QP4\n"
    )
    assert otp(mc("Verify your device", text=text))[0] == "7KX29QP4"


# ------------------------------------------------------------------ 2. app links
DEEP = "myapp://reset-password?code=Ab12Cd34Ef56Gh78"
DEEP2 = "com.example.app://auth?token=Zx9Yw8Vu7Ts6Rq5P"
HTTPS = "https://acme.com/reset?token=Ab12Cd34Ef56Gh78Ij90"
FOOTER = (
    '<p><a href="https://acme.com/privacy">Privacy</a> · '
    '<a href="https://acme.com/unsubscribe?u=1">Unsubscribe</a></p>'
)


@pytest.mark.parametrize("lang", LANGS, ids=IDS)
@pytest.mark.parametrize("deep", [DEEP, DEEP2])
def test_app_link_only(lang: Lang, deep: str) -> None:
    html = f'<p><a href="{deep}">{lang.reset}</a></p>{FOOTER}'
    value, confidence = link(mc(lang.reset, html=html))
    assert value == deep and confidence >= 0.5
    text = f"{lang.reset}:\n{deep}\n\nhttps://acme.com/privacy"
    assert link(mc(lang.reset, text=text))[0] == deep


@pytest.mark.parametrize("lang", LANGS, ids=IDS)
def test_https_fallback_wins(lang: Lang) -> None:
    html = (
        f'<p><a href="{DEEP}">{lang.reset}</a></p><p><a href="{HTTPS}">{lang.reset}</a></p>{FOOTER}'
    )
    value, confidence = link(mc(lang.reset, html=html))
    assert value == HTTPS and confidence >= 0.8
    text = f"{lang.reset}:\n{DEEP}\n\n{HTTPS}\n"
    assert link(mc(lang.reset, text=text))[0] == HTTPS


@pytest.mark.parametrize(
    "href",
    [
        "mailto:reset@acme.com?subject=reset-password&token=Ab12Cd34Ef56",
        "tel:+14155550132",
        "javascript://reset?token=Ab12Cd34Ef56Gh78",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "sms://+14155550132?body=reset-token-Ab12Cd34Ef56",
        "file:///etc/passwd?token=Ab12Cd34Ef56",
    ],
)
def test_never_other_schemes(href: str) -> None:
    html = f'<p><a href="{href}">Reset password</a></p>{FOOTER}'
    value, _ = link(mc("Reset your password", html=html))
    assert value is None or value.startswith("https://")
    value, _ = link(mc("Reset your password", text=f"Reset password: {href}"))
    assert value is None or value.startswith("https://")


# ------------------------------------------------------------------ 3. quoted / forwarded
OLD, NEW = "482913", "771902"
OLD_LINK = "https://acme.com/verify?token=OldOld1234567890abcd"
NEW_LINK = "https://acme.com/verify?token=NewNew1234567890abcd"


def _quoted_texts(lang: Lang, inner: str) -> dict[str, str]:
    f, s, t, j = lang.headers
    return {
        "forward": f"{lang.forward}\n{f}: {SENDER}\n{j}: {lang.subject}\n\n{inner}",
        "reply": f"{lang.wrote}\n\n> {inner}\n>\n> Acme",
        "outlook": (
            f"________________________________\n{f}: {SENDER}\n{s}: 3.6.2024 10:00\n"
            f"{t}: me@example.com\n{j}: {lang.subject}\n\n{inner}"
        ),
        "original": f"{lang.original}\n{f}: {SENDER}\n{s}: 3.6.2024 10:00\n\n{inner}",
    }


@pytest.mark.parametrize("lang", LANGS, ids=IDS)
@pytest.mark.parametrize("style", ["forward", "reply", "outlook", "original"])
def test_quoted_text_ranks_below_the_top(lang: Lang, style: str) -> None:
    inner = f"{lang.label} {OLD}"
    quoted = _quoted_texts(lang, inner)[style]
    both = mc("Re: " + lang.subject, text=f"{lang.label} {NEW}\n\n{quoted}")
    value, confidence = otp(both)
    assert value == NEW, (value, confidence)
    only = mc("Fwd: " + lang.subject, text=f"{lang.thanks}\n\n{quoted}")
    value, confidence = otp(only)
    assert value == OLD and 0.3 <= confidence < 0.8, (value, confidence)


@pytest.mark.parametrize("lang", LANGS, ids=IDS)
def test_quoted_links(lang: Lang) -> None:
    quoted = _quoted_texts(lang, f"{lang.reset}: {OLD_LINK}")["forward"]
    both = mc(lang.reset, text=f"{lang.reset}: {NEW_LINK}\n\n{quoted}")
    assert link(both)[0] == NEW_LINK
    only = mc("Fwd: " + lang.reset, text=f"{lang.thanks}\n\n{quoted}")
    value, confidence = link(only)
    assert value == OLD_LINK and confidence < 0.8, (value, confidence)


GMAIL_HTML = (
    '<div dir="ltr">{top}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
    '{wrote}<br></div><blockquote class="gmail_quote" style="margin:0 0 0 .8ex">'
    "{inner}</blockquote></div>"
)
OUTLOOK_HTML = (
    '<div>{top}</div><div id="appendonsend"></div><hr style="display:inline-block">'
    '<div id="divRplyFwdMsg" dir="ltr"><b>{f}:</b> {sender}<br><b>{s}:</b> 3.6.2024<br>'
    "<b>{j}:</b> {subject}</div><div>{inner}</div>"
)


@pytest.mark.parametrize("lang", LANGS, ids=IDS)
@pytest.mark.parametrize("client", ["gmail", "outlook"])
def test_quoted_html(lang: Lang, client: str) -> None:
    f, s, _, j = lang.headers

    def render(top: str) -> str:
        inner = f"<p>{lang.label}</p><p><b>{OLD}</b></p>"
        if client == "gmail":
            return GMAIL_HTML.format(top=top, wrote=lang.wrote, inner=inner)
        return OUTLOOK_HTML.format(
            top=top, f=f, s=s, j=j, sender=SENDER, subject=lang.subject, inner=inner
        )

    assert otp(mc("Re: x", html=render(f"{lang.label} <b>{NEW}</b>")))[0] == NEW
    value, confidence = otp(mc("Fwd: x", html=render(lang.thanks)))
    assert value == OLD and confidence < 0.8, (value, confidence)


def test_quoted_subject_code_is_not_confident() -> None:
    value, confidence = otp(mc("Fwd: 482913 is your Acme code", text="FYI, see above."))
    assert value is None or confidence < 0.8


def test_attached_message_rfc822() -> None:
    inner = (
        "From: Acme <no-reply@acme.com>\r\nSubject: Your verification code\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n\r\nYour verification code is 482913\r\n'
    )
    outer = (
        "From: me@example.com\r\nTo: agent@example.com\r\nSubject: {subject}\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        '--b1\r\nContent-Type: text/plain; charset="utf-8"\r\n\r\n{top}\r\n'
        "--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        f"{inner}\r\n--b1--\r\n"
    )
    only = content_from_bytes(outer.format(subject="Fwd: code", top="See attached.").encode())
    value, confidence = otp(only)
    assert value == OLD and confidence < 0.8, (value, confidence)
    top = f"Your new verification code is {NEW}"
    both = content_from_bytes(outer.format(subject="Your code", top=top).encode())
    value, confidence = otp(both)
    assert value == NEW and confidence >= 0.7, (value, confidence)


# ------------------------------------------------------------------ 4. promotional codes
PROMOS = ["KANSO10", "X7Q9PL", "SUMMER-2024", "4821"]


@pytest.mark.parametrize("lang", LANGS, ids=IDS)
@pytest.mark.parametrize("promo", PROMOS)
def test_promo_code_is_not_a_verification_code(lang: Lang, promo: str) -> None:
    sentence = lang.promo.format(p=promo)
    assert nothing(otp(mc("Acme", text=f"{sentence}\n\n{lang.thanks}"))), otp(
        mc("Acme", text=sentence)
    )
    labelled = f"{lang.promo_label}\n\n{promo}\n\n{lang.thanks}"
    assert nothing(otp(mc("Acme", text=labelled))), otp(mc("Acme", text=labelled))


@pytest.mark.parametrize("lang", LANGS, ids=IDS)
def test_promo_and_verification_code(lang: Lang) -> None:
    sentence = lang.promo.format(p="KANSO10")
    for text in (
        f"{lang.label} {NEW}\n\n{sentence}",
        f"{sentence}\n\n{lang.label} {NEW}",
        f"{lang.promo_label}\n\nKANSO10\n\n{lang.label}\n\n{NEW}",
        f"{lang.label} {NEW}. {sentence}",
    ):
        value, confidence = otp(mc(lang.subject, text=text))
        assert value == NEW, (text, value, confidence)


# ------------------------------------------------------------------ no false quoting, bounds
def test_ordinary_mails_have_no_quoted_part() -> None:
    from waypost.extract._text import parse_html, plain_text
    from waypost.extract.quoted import quoted_ranges, subject_is_reply

    from .cases import ALL_CASES
    from .test_heldout import HELDOUT

    replies = {"n_github_pr"}  # a real "Re:" with "> " quoted code lines
    flagged = []
    for case in [*ALL_CASES, *HELDOUT]:
        if case.name in replies:
            continue
        c = case.content
        text = plain_text(c.text) if c.text else ""
        vis = parse_html(c.html) if c.html else None
        if (
            subject_is_reply(c.subject)
            or quoted_ranges(text)
            or (vis is not None and (vis.quoted or quoted_ranges(vis.text)))
        ):
            flagged.append(case.name)
    assert flagged == []


HOSTILE = {
    "quoted lines": lambda n: "> Your code is 123456\n" * (n // 22),
    "header lines": lambda n: "From: a\nSent: b\nTo: c\nSubject: 123456\n" * (n // 40),
    "attributions": lambda n: "On Mon a@b.c 10:00 wrote: 123456\n" * (n // 34),
    "scheme separators": lambda n: "://" * (n // 3),
    "app links": lambda n: "Reset: myapp://reset?token=Ab12Cd34Ef56 " * (n // 40),
    "long codes": lambda n: "Your code: Jp2ABW17qTpqT0Bh8bSE " * (n // 32),
    "grouped codes": lambda n: "Code: QX4T-7BNP-K2MZ " * (n // 21),
}


@pytest.mark.parametrize("shape", HOSTILE)
@pytest.mark.parametrize("html", [False, True])
def test_new_shapes_are_bounded(shape: str, html: bool) -> None:
    from waypost.extract import Work
    from waypost.extract._limits import MAX_CANDIDATES, MAX_LINKS

    def work(n: int) -> Work:
        body = HOSTILE[shape](n)
        content = MailContent(
            subject="Fwd: Your code",
            text=None if html else body,
            html='<div class="gmail_quote">' + body if html else None,
        )
        w = Work()
        extract(content, "auto", w)
        return w

    big = work(1_000_000)
    assert big.candidates <= 2 * MAX_CANDIDATES and big.links <= MAX_LINKS
    assert work(500_000) == big
