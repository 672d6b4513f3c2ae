"""Blind set: raw RFC 5322 verification emails written before reading the engine.

Imitates real templates of many services (not the ones covered by ``cases.py`` /
``test_heldout.py``) across languages, charsets and transfer encodings, plus hard
negatives. Each case is labelled with the kind asked for and the value a user would
type (codes without spaces/dashes) or open (links as offered, entities decoded).
"""

from __future__ import annotations

import base64
import html
import quopri
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Blind:
    name: str
    kind: str  # otp | magic_link | none
    value: str | None
    raw: bytes
    accept: tuple[str, ...] = ()  # also right (e.g. a tracker's real target)
    ask: str = ""  # mode to ask for; defaults to ``kind`` ("auto" for none)
    lang: str = "en"

    @property
    def mode(self) -> str:
        if self.ask:
            return self.ask
        return "auto" if self.kind == "none" else self.kind


# ---------------------------------------------------------------- MIME builders


def _ew(text: str, charset: str) -> str:
    """RFC 2047 encode a header value (B encoding, split into short words)."""
    if text.isascii():
        return text
    words: list[str] = []
    chunk = ""
    for ch in text:
        if len((chunk + ch).encode(charset)) > 42:
            words.append(chunk)
            chunk = ""
        chunk += ch
    if chunk:
        words.append(chunk)
    return "\n ".join(
        f"=?{charset}?B?{base64.b64encode(w.encode(charset)).decode()}?=" for w in words
    )


def _part(body: str, subtype: str, charset: str, cte: str) -> str:
    data = body.encode(charset, "xmlcharrefreplace" if subtype == "html" else "strict")
    if cte == "base64":
        enc = base64.encodebytes(data).decode("ascii")
    elif cte == "quoted-printable":
        enc = quopri.encodestring(data).decode("ascii")
    else:
        enc = data.decode("latin-1" if cte == "8bit" else "ascii")
    return (
        f'Content-Type: text/{subtype}; charset="{charset}"\n'
        f"Content-Transfer-Encoding: {cte}\n\n{enc.rstrip()}\n"
    )


_PNG = base64.encodebytes(b"\x89PNG\r\n\x1a\n" + bytes(range(64))).decode()


def eml(
    subject: str,
    sender: str,
    *,
    text: str | None = None,
    html_body: str | None = None,
    charset: str = "utf-8",
    cte: str = "quoted-printable",
    html_cte: str = "",
    crlf: bool = False,
    mixed: bool = False,
    date: str = "Mon, 23 Nov 2026 20:41:07 +0000",
    to: str = "jane.doe@inbox.waypost.dev",
) -> bytes:
    name, _, addr = sender.partition(" <")
    from_hdr = f"{_ew(name, charset)} <{addr}" if addr else sender
    head = (
        f"Return-Path: <bounce+8f2a@{(addr or sender).rstrip('>').split('@')[-1]}>\n"
        "Received: from mta-out-14.mail.example.net (mta-out-14.mail.example.net "
        "[198.51.100.14]) by mx.waypost.dev with ESMTPS id 4Kx9Zq2mPtz1;\n"
        f" {date}\n"
        f"From: {from_hdr}\nTo: {to}\nSubject: {_ew(subject, charset)}\nDate: {date}\n"
        "Message-ID: <20261123204107.7f3a9c2e1b@mail.example.net>\nMIME-Version: 1.0\n"
    )
    parts: list[str] = []
    if text is not None:
        parts.append(_part(text, "plain", charset, cte))
    if html_body is not None:
        parts.append(_part(html_body, "html", charset, html_cte or cte))
    if len(parts) == 1 and not mixed:
        msg = head + parts[0]
    else:
        alt = "".join(f"--==alt_b7Q2\n{p}" for p in parts) + "--==alt_b7Q2--\n"
        body = 'Content-Type: multipart/alternative; boundary="==alt_b7Q2"\n\n' + alt
        if mixed:
            body = (
                'Content-Type: multipart/mixed; boundary="==mix_K9p"\n\n'
                f"--==mix_K9p\n{body}--==mix_K9p\n"
                'Content-Type: image/png; name="logo.png"\nContent-Transfer-Encoding: base64\n'
                'Content-Disposition: inline; filename="logo.png"\nContent-ID: <logo@x>\n\n'
                f"{_PNG}--==mix_K9p--\n"
            )
        msg = head + body
    if crlf:
        msg = msg.replace("\n", "\r\n")
    return msg.encode("latin-1")


# ---------------------------------------------------------------- HTML helpers


def page(
    brand: str,
    rows: list[str],
    *,
    domain: str,
    preheader: str = "",
    lang: str = "en",
    footer: str = "",
) -> str:
    pre = (
        f'<div style="display:none;font-size:1px;max-height:0;overflow:hidden">{preheader}'
        "&nbsp;&zwnj;&nbsp;&zwnj;</div>"
        if preheader
        else ""
    )
    foot = footer or (
        f"© 2026 {brand}. All rights reserved.<br>1600 Amphitheatre Pkwy, Suite 400, "
        "Mountain View, CA 94043"
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta http-equiv="Content-Type" '
        'content="text/html; charset=utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><title></title><style>'
        "@media only screen and (max-width:600px){.c{width:100%!important}}"
        "body{margin:0;padding:0}</style></head><body>"
        f'{pre}<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'border="0" bgcolor="#f4f5f7"><tr><td align="center" style="padding:24px 0">'
        '<table class="c" width="600" cellpadding="0" cellspacing="0" border="0" '
        'bgcolor="#ffffff"><tr><td style="padding:24px 40px">'
        f'<a href="https://www.{domain}/?utm_source=email"><img src="https://cdn.{domain}/'
        f'email/logo@2x.png" width="132" height="40" alt="{brand}" border="0"></a></td></tr>'
        + "".join(rows)
        + '<tr><td style="padding:24px 40px;font-size:12px;color:#8993a4;line-height:18px">'
        f'{foot}<br><a href="https://www.{domain}/legal/privacy" style="color:#8993a4">Privacy'
        f'</a> | <a href="https://www.{domain}/help" style="color:#8993a4">Help</a></td></tr>'
        "</table></td></tr></table></body></html>"
    )


def p(inner: str) -> str:
    return (
        '<tr><td style="padding:0 40px 16px;font-family:Arial,Helvetica,sans-serif;'
        f'font-size:15px;line-height:22px;color:#172b4d">{inner}</td></tr>'
    )


def big(code: str) -> str:
    return (
        '<tr><td align="center" style="padding:8px 40px 24px"><div style="font-family:'
        "'Courier New',monospace;font-size:34px;font-weight:bold;letter-spacing:8px;"
        f'color:#000;background:#f4f5f7;border-radius:4px;padding:16px 0">{code}</div></td></tr>'
    )


def boxes(code: str) -> str:
    cells = "".join(
        '<td width="44" height="56" align="center" style="border:1px solid #d0d7de;'
        f'border-radius:6px;font-size:28px;font-weight:700;font-family:monospace">{c}</td>'
        '<td width="8"></td>'
        for c in code
    )
    return (
        '<tr><td align="center" style="padding:8px 40px 24px"><table cellpadding="0" '
        f'cellspacing="0" border="0"><tr>{cells}</tr></table></td></tr>'
    )


def btn(href: str, label: str) -> str:
    return (
        '<tr><td align="center" style="padding:8px 40px 24px"><table cellpadding="0" '
        'cellspacing="0"><tr><td bgcolor="#0052cc" style="border-radius:3px">'
        f'<a href="{html.escape(href)}" target="_blank" style="display:inline-block;'
        "padding:12px 28px;font-size:15px;color:#ffffff;text-decoration:none;"
        f'font-weight:bold">{label}</a></td></tr></table></td></tr>'
    )


def fallback(intro: str, url: str) -> str:
    u = html.escape(url)
    return p(f'{intro}<br><a href="{u}" style="color:#0052cc;word-break:break-all">{u}</a>')


def sendgrid(n: int) -> str:
    return (
        f"https://u{n}.ct.sendgrid.net/ls/click?upn=u001.Qm9aX2dLcU1hTjZ0ZkRiY1VXbm9xUGJzaGd"
        "6SVhaS2lrOVdhR0JfQ3Q3S2pTRi1_2BdFhLZ3VCeTBGeVpHU3hOWVlCbnN3-3D-3Dk8Rf_"
        "1mXc0a9QyJzT7vP3bW2LrE4sUoGh-2FhK8qYp0aRz1Nd5tXvL"
    )


def mailgun(domain: str) -> str:
    return (
        f"https://email.mg.{domain}/c/eJxNkMFuwyAMhp-mOTYiEJL2kEOlaq-wa0TBadAIIDDp"
        "-vbDnbqtkmXJ_v3_n3SXUSJ2vtRW7hU5lpZUF2M3eWQhiMzOb_EFplkUFRpr4kC0hTU0H2yHyP"
        "Y0bpmlj9Y6oh5cpKVP0AxJ4eGc2EL0ZpT1dHYfIF9UwsZ4TU-yTTqzZA"
    )


def ses(target: str, region: str = "us-east-1") -> str:
    return (
        f"https://3gpx9rw1.r.{region}.awstrack.me/L0/{quote(target, safe='')}/1/"
        "0100018c4e2f7a91-2b8d6e0f-51a3-4c7e-9f1b-8a2d3c4e5f60-000000/"
        "kQ8vZp3xNw2LmT7yR1sU4oHfGjE=352"
    )


def postmark(target: str) -> str:
    rest = target.split("://", 1)[1]
    return (
        f"https://click.pstmrk.it/3s/{quote(rest, safe='')}/Ka0Q/9vYBAQ/"
        "AQ/4f1c2b3a-7e6d-4c5b-9a8f-0e1d2c3b4a59/1/rXz3Qp0LmV"
    )


# ================================================================ OTP cases

OTP: list[Blind] = []


def otp(name: str, value: str, raw: bytes, lang: str = "en", ask: str = "") -> None:
    OTP.append(Blind(name, "otp", value, raw, ask=ask, lang=lang))


otp(
    "atlassian_signup_code",
    "602917",
    eml(
        "Your Atlassian verification code",
        "Atlassian <noreply@id.atlassian.com>",
        text=(
            "Verify your email address\n\nTo finish signing up for Atlassian, enter this "
            "code:\n\n602917\n\nThis code will expire in 10 minutes.\n\nThis message was "
            "sent to you by Atlassian Cloud\nAtlassian, Inc. 350 Bush Street, Floor 13, "
            "San Francisco, CA 94104, USA"
        ),
        html_body=page(
            "Atlassian",
            [
                p("<h1 style='font-size:24px'>Verify your email address</h1>"),
                p("To finish signing up for Atlassian, enter this code:"),
                big("602917"),
                p("This code will expire in 10 minutes."),
            ],
            domain="atlassian.com",
            preheader="Your code is 602917",
            footer="This message was sent to you by Atlassian Cloud<br>Atlassian, Inc. 350 "
            "Bush Street, Floor 13, San Francisco, CA 94104, USA",
        ),
    ),
)
otp(
    "dropbox_security_code",
    "538201",
    eml(
        "Your Dropbox security code",
        "Dropbox <no-reply@dropbox.com>",
        html_body=page(
            "Dropbox",
            [
                p("Hi Jane,"),
                p(
                    "Someone is trying to sign in to your Dropbox account from Chrome on "
                    "Windows (Berlin, Germany) at 9:41 PM CET."
                ),
                p("If this was you, enter the security code below to finish signing in:"),
                big("538 201"),
                p("If this wasn't you, please reset your password right away."),
                p("Thanks!<br>- The Dropbox team"),
            ],
            domain="dropbox.com",
        ),
        html_cte="base64",
    ),
)
otp(
    "zoom_signin_plain_b64",
    "603418",
    eml(
        "Zoom sign-in verification code",
        "Zoom <no-reply@zoom.us>",
        text=(
            "Hello Jane Doe,\n\nWe detected a sign-in attempt to your Zoom account "
            "(jane.doe@inbox.waypost.dev) from a new device or location.\n\n"
            "Your verification code is: 603418\n\nThe code is valid for 10 minutes. "
            "If you did not attempt to sign in, change your password immediately.\n\n"
            "Copyright ©2026 Zoom Video Communications, Inc. All rights reserved.\n"
            "55 Almaden Blvd, 6th Floor, San Jose, CA 95113\n+1.888.799.9666"
        ),
        cte="base64",
    ),
)
otp(
    "airbnb_confirm_code",
    "481036",
    eml(
        "Your Airbnb verification code",
        "Airbnb <automated@airbnb.com>",
        text="Your Airbnb verification code is: 481036. Don't share this code with anyone; "
        "our employees will never ask for the code.",
        html_body=page(
            "Airbnb",
            [
                p("<b>Your Airbnb verification code is:</b>"),
                big("481036"),
                p("Don't share this code with anyone; our employees will never ask for the code."),
            ],
            domain="airbnb.com",
            footer="Airbnb Ireland UC, 8 Hanover Quay, Dublin 2, D02 DP23 Ireland",
        ),
    ),
)
otp(
    "uber_es_4digit",
    "7391",
    eml(
        "Tu código de Uber: 7391",
        "Uber <noreply@uber.com>",
        html_body=page(
            "Uber",
            [
                p("Hola, Juan:"),
                p("Ingresa el siguiente código para iniciar sesión en tu cuenta de Uber."),
                big("7391"),
                p("Si no solicitaste este código, puedes ignorar este mensaje."),
            ],
            domain="uber.com",
            lang="es",
            footer="Uber B.V. Burgerweeshuispad 301, 1076 HR Ámsterdam, Países Bajos",
        ),
        charset="iso-8859-1",
    ),
    lang="es",
)
otp(
    "paypal_de_sicherheitscode",
    "502917",
    eml(
        "Ihr PayPal-Sicherheitscode",
        "PayPal <service@paypal.de>",
        text=(
            "Hallo Max Mustermann,\n\nIhr Sicherheitscode lautet 502917. Er ist 10 Minuten "
            "gültig. Geben Sie diesen Code nicht weiter.\n\nPayPal (Europe) S.à r.l. et Cie, "
            "S.C.A., 22-24 Boulevard Royal, L-2449 Luxembourg\nPPX000964:1.1:ae19f0c8"
        ),
        charset="iso-8859-1",
    ),
    lang="de",
)
otp(
    "revolut_dash_code",
    "172839",
    eml(
        "172-839 is your Revolut verification code",
        "Revolut <no-reply@revolut.com>",
        html_body=page(
            "Revolut",
            [
                p("Hi Jane,"),
                p("Use this code to confirm your email address:"),
                big("172-839"),
                p("Never share this code. Revolut will never call you to ask for it."),
            ],
            domain="revolut.com",
            footer="Revolut Bank UAB, Konstitucijos ave. 21B, 08130 Vilnius, Lithuania. "
            "Company code 304580906.",
        ),
    ),
)
otp(
    "n26_de_spaced",
    "482913",
    eml(
        "Dein Bestätigungscode",
        "N26 <no-reply@n26.com>",
        text=(
            "Hallo Max,\n\ndein Bestätigungscode lautet:\n\n482 913\n\nDer Code ist 5 "
            "Minuten gültig. Gib ihn niemals an Dritte weiter – N26 wird dich nie danach "
            "fragen.\n\nN26 Bank SE, Voltairestraße 8, 10179 Berlin\nHRB 170602 B"
        ),
        html_body=page(
            "N26",
            [
                p("Hallo Max,"),
                p("dein Bestätigungscode lautet:"),
                big("482&nbsp;913"),
                p(
                    "Der Code ist 5 Minuten gültig. Gib ihn niemals an Dritte weiter – N26 "
                    "wird dich nie danach fragen."
                ),
            ],
            domain="n26.com",
            lang="de",
            footer="N26 Bank SE, Voltairestraße 8, 10179 Berlin · HRB 170602 B",
        ),
    ),
    lang="de",
)
otp(
    "booking_nl_code",
    "739105",
    eml(
        "Uw verificatiecode voor Booking.com",
        "Booking.com <noreply@booking.com>",
        html_body=page(
            "Booking.com",
            [
                p("Hallo,"),
                p("Gebruik deze code om in te loggen bij Booking.com:"),
                big("739105"),
                p("Deze code verloopt over 15 minuten."),
                p("Heeft u niet geprobeerd in te loggen? Dan kunt u deze e-mail negeren."),
            ],
            domain="booking.com",
            lang="nl",
            footer="Booking.com B.V., Oosterdokskade 163, 1011 DL Amsterdam, Nederland",
        ),
        html_cte="base64",
    ),
    lang="nl",
)
otp(
    "linkedin_fr_latin1",
    "390417",
    eml(
        "Jane, voici votre code de vérification : 390417",
        "LinkedIn <security-noreply@linkedin.com>",
        text=(
            "Bonjour Jane,\n\nVoici votre code de vérification : 390417\n\nCe code expirera "
            "dans 15 minutes.\n\nVous recevez des e-mails de sécurité de LinkedIn.\n"
            "© 2026 LinkedIn Ireland Unlimited Company, Wilton Plaza, Dublin 2."
        ),
        html_body=page(
            "LinkedIn",
            [
                p("Bonjour Jane,"),
                p("Voici votre code de vérification :"),
                big("390417"),
                p("Ce code expirera dans 15 minutes."),
            ],
            domain="linkedin.com",
            lang="fr",
        ),
        charset="iso-8859-1",
    ),
    lang="fr",
)
otp(
    "reddit_login_code",
    "904127",
    eml(
        "Your Reddit verification code",
        "Reddit <noreply@redditmail.com>",
        text="Hi there,\n\nHere's your verification code: 904127\n\nThis code expires in "
        "5 minutes. If you didn't ask for it, you can safely ignore this email.\n\nReddit, "
        "Inc.\n303 2nd St., South Tower, 5th Floor\nSan Francisco, CA 94107",
    ),
)
otp(
    "tiktok_ptbr",
    "615283",
    eml(
        "615283 é seu código de verificação",
        "TikTok <no-reply@account.tiktok.com>",
        html_body=page(
            "TikTok",
            [
                p("Código de verificação"),
                big("615283"),
                p(
                    "Para confirmar seu endereço de e-mail, insira o código acima no TikTok. "
                    "O código expira em 5 minutos."
                ),
                p("Se você não solicitou este código, ignore este e-mail."),
            ],
            domain="tiktok.com",
            lang="pt-BR",
        ),
    ),
    lang="pt",
)
otp(
    "telegram_5digit",
    "72913",
    eml(
        "Your Telegram login code",
        "Telegram <noreply@telegram.org>",
        text="Hello,\n\nYour login code: 72913\n\nDo not give this code to anyone, even if "
        "they say they are from Telegram!\n\nThis code can be used to log in to your "
        "Telegram account. We never ask it for anything else.",
    ),
)
otp(
    "whatsapp_business_dash",
    "381294",
    eml(
        "WhatsApp Business verification code",
        "WhatsApp <noreply@whatsapp.com>",
        html_body=page(
            "WhatsApp",
            [
                p("Your WhatsApp Business code: <b>381-294</b>"),
                p(
                    "You can also tap on this link to verify your phone: "
                    '<a href="https://v.whatsapp.com/381294">v.whatsapp.com/381294</a>'
                ),
                p("Don't share this code with others."),
            ],
            domain="whatsapp.com",
        ),
    ),
)
otp(
    "twitch_digit_boxes",
    "849201",
    eml(
        "Your Twitch verification code",
        "Twitch <no-reply@twitch.tv>",
        html_body=page(
            "Twitch",
            [
                p("Hey janedoe,"),
                p("Please enter the verification code below to verify your email:"),
                boxes("849201"),
                p("This code will expire in 10 minutes."),
            ],
            domain="twitch.tv",
            footer="© 2026 Twitch Interactive, Inc. 350 Bush Street, 2nd Floor, San Francisco, "
            "CA 94104",
        ),
        mixed=True,
    ),
)
otp(
    "epic_games_alnum",
    "K7Q2ZP",
    eml(
        "Your Epic Games security code",
        "Epic Games <help@acct.epicgames.com>",
        text=(
            "Hello janedoe42,\n\nHere is your security code to sign in:\n\nK7Q2ZP\n\n"
            "This code will expire in 30 minutes.\n\nIf you didn't request this, secure "
            "your account at https://www.epicgames.com/account/password\n\nEpic Games, Inc. "
            "620 Crossroads Blvd. Cary, NC 27518"
        ),
        html_body=page(
            "Epic Games",
            [
                p("Hello janedoe42,"),
                p("Here is your security code to sign in:"),
                big("K7Q2ZP"),
                p("This code will expire in 30 minutes."),
            ],
            domain="epicgames.com",
        ),
    ),
)
otp(
    "coinbase_code",
    "740219",
    eml(
        "Coinbase verification code",
        "Coinbase <no-reply@coinbase.com>",
        html_body=page(
            "Coinbase",
            [
                p("<b>Your verification code</b>"),
                p("Enter the following code to confirm it's you:"),
                big("740219"),
                p(
                    "Requested from IP 203.0.113.54 (Lisbon, Portugal) on Nov 23, 2026 at "
                    "8:41 PM UTC."
                ),
                p("Coinbase will never call you or ask for this code."),
            ],
            domain="coinbase.com",
        ),
    ),
)
otp(
    "binance_ip_time",
    "338174",
    eml(
        "[Binance] Login Verification Code",
        "Binance <do-not-reply@ses.binance.com>",
        html_body=page(
            "Binance",
            [
                p("<b>Confirm Your Login</b>"),
                p("Your verification code:"),
                big("338174"),
                p(
                    "The verification code will be valid for 30 minutes. Please do not share "
                    "this code with anyone."
                ),
                p("Login attempt: 2026-11-23 20:40:51(UTC) · IP: 185.220.101.42"),
                p("Don't recognize this activity? Please reset your password immediately."),
            ],
            domain="binance.com",
            footer="This is an automated message, please do not reply. © 2017 - 2026 "
            "Binance.com, All Rights Reserved.",
        ),
    ),
)
otp(
    "kraken_signin",
    "184270",
    eml(
        "Kraken sign-in code",
        "Kraken <noreply@kraken.com>",
        text="Your sign-in code is:\n\n184 270\n\nThis code expires in 15 minutes.\n\n"
        "Location: Austin, TX, US\nIP address: 198.51.100.201\nTime: 2026-11-23 20:40 UTC\n\n"
        "Payward, Inc. d/b/a Kraken",
        cte="7bit",
    ),
)
otp(
    "digitalocean_login",
    "647201",
    eml(
        "DigitalOcean Login Verification",
        "DigitalOcean <support@digitalocean.com>",
        text="Hi Jane,\n\nYour DigitalOcean login verification code is 647201.\n\nIf you "
        "did not attempt to log in, reset your password.\n\nDigitalOcean LLC, 101 6th Ave, "
        "New York, NY 10013",
        cte="7bit",
        crlf=True,
    ),
)
otp(
    "cloudflare_access_pin",
    "928471",
    eml(
        "Your Cloudflare Access code",
        "Cloudflare Access <noreply@notify.cloudflare.com>",
        html_body=page(
            "Cloudflare",
            [
                p("Here is your login code for <b>acme.cloudflareaccess.com</b>:"),
                big("928471"),
                p("This code expires in 10 minutes. Do not share it."),
            ],
            domain="cloudflare.com",
            footer="Cloudflare, Inc. | 101 Townsend St, San Francisco, CA 94107",
        ),
    ),
)
otp(
    "gitlab_verify_ip",
    "318604",
    eml(
        "Verify your identity",
        "GitLab <gitlab@mg.gitlab.com>",
        text=(
            "Help us protect your account\n\nBefore you sign in, we need to verify your "
            "identity. Enter the following code on the sign-in page.\n\n318604\n\n"
            "If you have not recently tried to sign in, we recommend changing your "
            "password.\nThis code expires in 60 minutes.\n\nSign-in attempt from "
            "198.51.100.23 on November 23, 2026"
        ),
        html_body=page(
            "GitLab",
            [
                p("<b>Help us protect your account</b>"),
                p(
                    "Before you sign in, we need to verify your identity. Enter the following "
                    "code on the sign-in page."
                ),
                big("318604"),
                p("This code expires in 60 minutes."),
            ],
            domain="gitlab.com",
        ),
    ),
)
otp(
    "npm_8digit_otp",
    "93047261",
    eml(
        "OTP for logging in to your account",
        "npm <support@npmjs.com>",
        text=(
            "Hi, janedoe!\n\nSomeone - hopefully you - is trying to log in to your npm "
            "account.\n\nTo complete the sign-in, please use the following one-time "
            "password (OTP):\n\n93047261\n\nThis OTP will be valid for the next 5 minutes."
            "\n\nIf you did not try to log in, please contact npm support.\n\nnpm, Inc.\n"
            "88 Colin P Kelly Jr St, San Francisco, CA 94107"
        ),
    ),
)
otp(
    "salesforce_5digit",
    "48291",
    eml(
        "Sandbox: Verify your identity in Salesforce",
        "Salesforce <noreply@salesforce.com>",
        text=(
            "You recently logged in to Salesforce from a browser or app that we don't "
            "recognize. To confirm your identity, enter this code in Salesforce.\n\n"
            "Verification Code: 48291\n\nIf you didn't recently log in to Salesforce, "
            "contact your administrator.\n\nUsername: jane.doe@acme.com.uat\nBrowser: "
            "Chrome 131\nOperating System: Mac OSX\n\nThanks,\nSalesforce"
        ),
    ),
)
otp(
    "hubspot_code",
    "592074",
    eml(
        "Your HubSpot login code",
        "HubSpot <noreply@hubspot.com>",
        html_body=page(
            "HubSpot",
            [
                p("Hi Jane,"),
                p("Here's your login verification code. It expires in 10 minutes."),
                big("592074"),
                p("If you didn't try to log in, you can ignore this email."),
            ],
            domain="hubspot.com",
            footer="HubSpot, Inc., 2 Canal Park, Cambridge, MA 02141",
        ),
    ),
)
otp(
    "intercom_code",
    "205817",
    eml(
        "Your Intercom verification code",
        "Intercom <team@intercom.io>",
        text="Your verification code is 205817\n\nEnter this code to sign in. It will "
        "expire in 10 minutes.\n\nIntercom R&D Unlimited Company, 2nd Floor, Stephen "
        "Court, 18-21 St. Stephen's Green, Dublin 2",
        html_body=page(
            "Intercom",
            [p("Your verification code is"), big("205817"), p("Enter this code to sign in.")],
            domain="intercom.com",
        ),
    ),
)
otp(
    "canva_login_code",
    "482193",
    eml(
        "Your Canva login code is 482193",
        "Canva <no-reply@canva.com>",
        html_body=page(
            "Canva",
            [
                p("Hi Jane,"),
                p("Enter this code to log in to Canva:"),
                big("482193"),
                p("This code expires in 30 minutes."),
            ],
            domain="canva.com",
            footer="Canva®, 110 Kippax St, Surry Hills NSW 2010, Australia",
        ),
    ),
)
otp(
    "spotify_code_and_link",
    "618204",
    eml(
        "Your Spotify login code",
        "Spotify <no-reply@spotify.com>",
        html_body=page(
            "Spotify",
            [
                p("Hi Jane,"),
                p("Here's your 6-digit code to log in to Spotify:"),
                big("618204"),
                p("Or log in with one click:"),
                btn(
                    "https://accounts.spotify.com/login/email?code=Hx8aQ2&flow_ctx=e7c1b2:1732394467",
                    "Log in",
                ),
                p("This code and link expire in 1 hour."),
            ],
            domain="spotify.com",
            footer="Spotify AB, Regeringsgatan 19, 111 53 Stockholm, Sweden",
        ),
    ),
)
otp(
    "netflix_es_4digit",
    "4829",
    eml(
        "Tu código de acceso temporal de Netflix",
        "Netflix <info@account.netflix.com>",
        html_body=page(
            "Netflix",
            [
                p("Introduce este código para iniciar sesión"),
                big("4829"),
                p("Este código caduca en 15 minutos."),
                p("Solicitud enviada desde: Smart TV · Madrid, España · 23 de noviembre, 21:40"),
            ],
            domain="netflix.com",
            lang="es",
            footer="Netflix Servicios de Transmisión España S.L., Calle Fuencarral 123, "
            "28010 Madrid",
        ),
    ),
    lang="es",
)
otp(
    "disneyplus_passcode",
    "739108",
    eml(
        "Your one-time passcode for Disney+",
        "Disney+ <disneyplus@trx.mail2.disneyplus.com>",
        html_body=page(
            "Disney+",
            [
                p("Use this one-time passcode to verify the email address for your account."),
                big("739108"),
                p("This passcode will expire in 15 minutes."),
                p("Need help? Visit the Disney+ Help Center."),
            ],
            domain="disneyplus.com",
            footer="© 2026 Disney and its related entities. 500 S. Buena Vista St, Burbank, "
            "CA 91521",
        ),
    ),
)
otp(
    "glovo_es",
    "4820",
    eml(
        "Tu código de Glovo",
        "Glovo <no-reply@glovoapp.com>",
        text="¡Hola!\n\nTu código de verificación es 4820.\n\nNo lo compartas con nadie.\n\n"
        "Glovoapp23 S.A., Calle Llull 108, 08005 Barcelona",
        charset="iso-8859-15",
    ),
    lang="es",
)
otp(
    "rakuten_ja_iso2022",
    "583920",
    eml(
        "【楽天会員】認証コードのお知らせ",
        "楽天会員サービス <member@rakuten.co.jp>",
        text=(
            "楽天会員各位\n\nログインのための認証コードをお知らせします。\n\n認証コード：583920\n\n"
            "有効期限：2026年11月24日 06:10まで\n\nこのメールにお心当たりがない場合は、"
            "破棄してください。\n\n楽天グループ株式会社\n〒158-0094 東京都世田谷区玉川一丁目14番1号"
        ),
        charset="iso-2022-jp",
        cte="7bit",
    ),
    lang="ja",
)
otp(
    "mercadolivre_ptbr_boxes",
    "620481",
    eml(
        "Código de verificação Mercado Livre",
        "Mercado Livre <noreply@mercadolivre.com>",
        html_body=page(
            "Mercado Livre",
            [
                p("Olá, Ana!"),
                p("Use este código para validar seu e-mail:"),
                boxes("620481"),
                p("O código vence em 10 minutos. Não compartilhe com ninguém."),
            ],
            domain="mercadolivre.com.br",
            lang="pt-BR",
            footer="Ebazar.com.br LTDA. CNPJ 03.007.331/0001-41 Av. das Nações Unidas, "
            "nº 3.003, Osasco/SP - CEP 06233-903",
        ),
    ),
    lang="pt",
)
otp(
    "yandex_ru_koi8",
    "482913",
    eml(
        "Код подтверждения Яндекс ID",
        "Яндекс ID <noreply@id.yandex.ru>",
        text=(
            "Здравствуйте!\n\nВаш код подтверждения: 482913\n\nНикому не сообщайте этот "
            "код. Код действителен 10 минут.\n\nС уважением,\nкоманда Яндекс ID\n"
            "ООО Яндекс, 119021, Москва, ул. Льва Толстого, 16"
        ),
        charset="koi8-r",
        cte="base64",
    ),
    lang="ru",
)
otp(
    "vk_ru_html",
    "583027",
    eml(
        "Код для входа в VK ID",
        "VK ID <admin@id.vk.com>",
        html_body=page(
            "VK",
            [
                p("Код для входа в VK ID:"),
                big("583027"),
                p("Не сообщайте его никому, даже сотрудникам VK."),
                p("Вход выполнен 23.11.2026 в 23:40 с IP-адреса 95.173.136.70."),
            ],
            domain="vk.com",
            lang="ru",
            footer="© 2026 ООО «В Контакте», 191024, Санкт-Петербург, ул. Херсонская, 12-14",
        ),
    ),
    lang="ru",
)
otp(
    "naver_ko_euckr",
    "583021",
    eml(
        "[네이버] 인증번호 안내",
        "네이버 <navercorp@navercorp.com>",
        text="안녕하세요. 네이버입니다.\n\n요청하신 인증번호를 알려드립니다.\n\n"
        "인증번호 [583021]\n\n인증번호는 10분간 유효합니다.\n\n"
        "경기도 성남시 분당구 정자일로 95, NAVER 1784, 13561",
        charset="euc-kr",
        cte="base64",
    ),
    lang="ko",
)
otp(
    "kakao_ko_html",
    "739104",
    eml(
        "카카오계정 인증번호",
        "카카오계정 <noreply@kakaocorp.com>",
        html_body=page(
            "Kakao",
            [
                p("카카오계정 이메일 인증을 위해 아래 인증번호를 입력해 주세요."),
                big("739104"),
                p("인증번호는 발송 후 10분 동안 유효합니다."),
            ],
            domain="kakaocorp.com",
            lang="ko",
            footer="(주)카카오 | 제주특별자치도 제주시 첨단로 242 | 사업자등록번호 120-81-47521",
        ),
    ),
    lang="ko",
)
otp(
    "line_ja_html",
    "4921",
    eml(
        "LINEの認証番号",
        "LINE <no-reply@line.me>",
        html_body=page(
            "LINE",
            [
                p("LINEアカウントのメールアドレス登録のための認証番号です。"),
                big("4921"),
                p("認証番号の有効期限は30分です。"),
            ],
            domain="line.me",
            lang="ja",
            footer="LINEヤフー株式会社 〒102-8282 東京都千代田区紀尾井町1-3",
        ),
        charset="shift_jis",
        html_cte="base64",
    ),
    lang="ja",
)
otp(
    "wechat_zh_gbk",
    "620481",
    eml(
        "微信安全验证",
        "微信团队 <weixinteam@tencent.com>",
        text="您好！\n\n您的验证码是 620481，10分钟内有效。请勿泄露给他人。\n\n"
        "如非本人操作，请忽略本邮件。\n\n微信团队\n2026年11月24日",
        charset="gbk",
        cte="base64",
    ),
    lang="zh",
)
otp(
    "alipay_zh_html",
    "382910",
    eml(
        "支付宝校验码",
        "支付宝 <service@mail.alipay.com>",
        html_body=page(
            "支付宝",
            [
                p("尊敬的用户："),
                p("您正在进行邮箱验证，校验码："),
                big("382910"),
                p("校验码30分钟内有效，切勿告诉他人。"),
                p("客服热线 95188"),
            ],
            domain="alipay.com",
            lang="zh-CN",
            footer="© 2004-2026 Alipay.com. All rights reserved. 浙ICP备2022020428号",
        ),
    ),
    lang="zh",
)
otp(
    "de_bank_mtan",
    "804126",
    eml(
        "Ihre Transaktionsnummer",
        "Volksbank Online-Banking <noreply@vr.de>",
        text=(
            "Sehr geehrte Kundin, sehr geehrter Kunde,\n\nfür Ihre Überweisung über "
            "1.250,00 EUR an IBAN DE89 3704 0044 0532 0130 00 lautet Ihre TAN:\n\n"
            "804126\n\nDie TAN ist 5 Minuten gültig.\n\nIhre Volksbank\nBLZ 37040044"
        ),
        charset="iso-8859-1",
    ),
    lang="de",
)
otp(
    "it_bank_codice",
    "93018274",
    eml(
        "Codice di sicurezza per l'accesso",
        "Banca Online <noreply@bancaonline.it>",
        html_body=page(
            "Banca Online",
            [
                p("Gentile Cliente,"),
                p("il tuo codice di sicurezza monouso è:"),
                big("93018274"),
                p("Il codice è valido per 3 minuti. Non comunicarlo a nessuno."),
            ],
            domain="bancaonline.it",
            lang="it",
            footer="Banca Online S.p.A. – Via Roma 1, 20121 Milano – P.IVA 01234567890",
        ),
    ),
    lang="it",
)
otp(
    "pl_bank_latin2",
    "583920",
    eml(
        "Kod weryfikacyjny",
        "Bank Online <powiadomienia@bankonline.pl>",
        text="Dzień dobry,\n\nTwój kod weryfikacyjny to: 583920\n\nKod jest ważny przez "
        "5 minut. Nie przekazuj go nikomu.\n\nBank Online S.A., ul. Puławska 15, "
        "02-515 Warszawa",
        charset="iso-8859-2",
    ),
    lang="pl",
)
otp(
    "tr_edevlet_1254",
    "472910",
    eml(
        "e-Devlet Kapısı Doğrulama Kodu",
        "e-Devlet Kapısı <bilgi@turkiye.gov.tr>",
        text="Sayın kullanıcı,\n\ne-Devlet Kapısı doğrulama kodunuz: 472910\n\nBu kod "
        "3 dakika geçerlidir. Kodu kimseyle paylaşmayınız.\n\nT.C. Cumhurbaşkanlığı "
        "Dijital Dönüşüm Ofisi",
        charset="windows-1254",
    ),
    lang="tr",
)
otp(
    "ar_gov_code",
    "630218",
    eml(
        "رمز التحقق",
        "أبشر <noreply@absher.sa>",
        html_body=page(
            "Absher",
            [
                p("عزيزي المستخدم،"),
                p("رمز التحقق الخاص بك هو:"),
                big("630218"),
                p("صالح لمدة 5 دقائق. لا تشارك هذا الرمز مع أي شخص."),
            ],
            domain="absher.sa",
            lang="ar",
        ),
    ),
    lang="ar",
)
otp(
    "google_g_prefix",
    "482913",
    eml(
        "G-482913 is your Google verification code",
        "Google <noreply@google.com>",
        text="G-482913 is your Google verification code.\n\nDon't share this code with "
        "anyone.\n\nGoogle LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043",
    ),
)
otp(
    "facebook_fb_prefix",
    "58302",
    eml(
        "FB-58302 is your Facebook confirmation code",
        "Facebook <registration@facebookmail.com>",
        html_body=page(
            "Facebook",
            [
                p("Hi Jane,"),
                p(
                    "You recently registered for Facebook. To complete your registration, "
                    "confirm your account."
                ),
                p("You may be asked to enter this confirmation code:"),
                big("FB-58302"),
            ],
            domain="facebook.com",
            footer="Meta Platforms, Inc., Attention: Community Support, 1 Meta Way, Menlo "
            "Park, CA 94025",
        ),
    ),
)
otp(
    "subject_only_code",
    "261904",
    eml(
        "261904 is your Duolingo verification code",
        "Duolingo <hello@duolingo.com>",
        html_body=page(
            "Duolingo",
            [
                p("Enter the code from the subject line in the app to verify your email."),
                p("If you didn't request this, you can ignore this email."),
            ],
            domain="duolingo.com",
            footer="Duolingo, Inc. 5900 Penn Ave, Pittsburgh, PA 15206",
        ),
    ),
)
otp(
    "kr_bank_html_spans",
    "870241",
    eml(
        "[신한은행] 이메일 인증번호",
        "신한은행 <noreply@shinhan.com>",
        html_body=page(
            "Shinhan",
            [
                p("아래 인증번호 6자리를 입력해 주세요."),
                '<tr><td align="center" style="padding:16px"><span style="font-size:30px">8'
                '</span><span style="font-size:30px">7</span><span style="font-size:30px">0'
                '</span><span style="font-size:30px">2</span><span style="font-size:30px">4'
                '</span><span style="font-size:30px">1</span></td></tr>',
                p("고객센터 1599-8000"),
            ],
            domain="shinhan.com",
            lang="ko",
        ),
    ),
    lang="ko",
)
otp(
    "pypi_2fa_totp_like_auto",
    "307516",
    eml(
        "[PyPI] Your verification code",
        "PyPI <noreply@pypi.org>",
        text="Someone is signing in to your PyPI account 'janedoe' from a new device.\n\n"
        "Verification code: 307516\n\nThis code expires in 15 minutes.\n\nIf you did not "
        "sign in, change your password at https://pypi.org/account/reset-password/",
    ),
    ask="auto",
)
otp(
    "heroku_auto_code",
    "562190",
    eml(
        "Heroku email verification code",
        "Heroku <noreply@heroku.com>",
        html_body=page(
            "Heroku",
            [
                p("Use this code to verify your login:"),
                big("562190"),
                p(
                    "This code is valid for 15 minutes. Salesforce, Inc. will never ask you "
                    "for this code."
                ),
            ],
            domain="heroku.com",
            footer="Heroku · 415 Mission Street, Suite 300 · San Francisco, CA 94105",
        ),
    ),
    ask="auto",
)
otp(
    "vercel_code_words_otp",
    "528471",
    eml(
        "Vercel verification code",
        "Vercel <notifications@vercel.com>",
        text="Verify your login\n\nYour verification code is 528471.\n\nThis code will "
        "expire in 10 minutes. Requested from 203.0.113.9 (Frankfurt, DE).\n\n"
        "Vercel Inc. 440 N Barranca Ave #4133, Covina, CA 91723",
    ),
)
otp(
    "zendesk_agent_code_ticket",
    "305718",
    eml(
        "Zendesk verification code",
        "Zendesk <noreply@zendesk.com>",
        text="Hi Jane,\n\nYour one-time verification code for acme.zendesk.com is 305718.\n"
        "\nThe code expires in 20 minutes.\n\nRequest ID: 1284093\n\nZendesk, Inc. 989 "
        "Market St, San Francisco, CA 94103",
    ),
)

# ================================================================ magic links

LINKS: list[Blind] = []


def link(name: str, value: str, raw: bytes, lang: str = "en", accept: tuple[str, ...] = ()) -> None:
    LINKS.append(Blind(name, "magic_link", value, raw, accept=accept, lang=lang))


_U = "https://id.atlassian.com/signup/verify-email/otp?token=eyJraWQiOiJtaWNy.aG9tZS1z&email=jane.doe%40inbox.waypost.dev&application=confluence"
link(
    "atlassian_verify_amp",
    _U,
    eml(
        "Verify your email for Confluence",
        "Atlassian <noreply@id.atlassian.com>",
        html_body=page(
            "Atlassian",
            [
                p("<h1>Verify your email address</h1>"),
                p("To finish setting up your Atlassian account, verify your email address."),
                btn(_U, "Verify your email"),
                p("This link will expire in 24 hours."),
            ],
            domain="atlassian.com",
        ),
    ),
)
_U = "https://www.dropbox.com/emailverify/AADn7Z1x2yQk8vRtPfW3sL0u?cl=en"
link(
    "dropbox_verify_text_and_html",
    _U,
    eml(
        "Verify your email",
        "Dropbox <no-reply@dropbox.com>",
        text=f"Hi Jane,\n\nPlease verify your email address:\n\n{_U}\n\nHappy Dropboxing!\n"
        "- The Dropbox Team\n\nDropbox, Inc., 1800 Owens St, San Francisco, CA 94158",
        html_body=page(
            "Dropbox",
            [
                p("Hi Jane,"),
                p("Please verify your email address so we know that it's really you!"),
                btn(_U, "Verify my email address"),
            ],
            domain="dropbox.com",
        ),
    ),
)
_U = "https://us05web.zoom.us/activate?code=rQx3Wn2dK8pL-Tz5yVbH0mA9sE4fG1cJ.BQgAAAGT8c2&fr=signup"
link(
    "zoom_activate",
    _U,
    eml(
        "Please activate your Zoom account",
        "Zoom <no-reply@zoom.us>",
        html_body=page(
            "Zoom",
            [
                p("Hello jane.doe@inbox.waypost.dev,"),
                p(
                    "Welcome to Zoom! To activate your account please click the button below "
                    "to verify your email address:"
                ),
                btn(_U, "Activate Account"),
                fallback("Or paste this link into your browser:", _U),
                p("This link will expire in 24 hours. Questions? +1.888.799.9666"),
            ],
            domain="zoom.us",
        ),
    ),
)
_U = "https://www.airbnb.com/users/confirm_email?code=7kTq2x9LmZ&user_id=528193047"
_T = sendgrid(4821093)
link(
    "airbnb_sendgrid_opaque",
    _T,
    eml(
        "Please confirm your email address",
        "Airbnb <automated@airbnb.com>",
        html_body=page(
            "Airbnb",
            [
                p("Hi Jane,"),
                p("Please confirm your email address by clicking the button below."),
                btn(_T, "Confirm email"),
                p(
                    "We may need to send you critical information about our service and it "
                    "is important that we have an accurate email address."
                ),
            ],
            domain="airbnb.com",
        ),
    ),
    accept=(_U,),
)
_U = "https://auth.uber.com/v2/magic-link?token=Uq8sN3vXk2mP7rL0wZ4y&state=Zt9Wc&next_url=https%3A%2F%2Fm.uber.com%2F"
link(
    "uber_magic_login",
    _U,
    eml(
        "Sign in to Uber",
        "Uber <noreply@uber.com>",
        text=f"Tap the link below to sign in to Uber. The link expires in 15 minutes.\n\n"
        f"{_U}\n\nIf you didn't request this, ignore this email.\n\nUber Technologies Inc., "
        "1725 3rd St, San Francisco, CA 94158",
        html_body=page(
            "Uber",
            [
                p("Tap the button below to sign in to Uber. The link expires in 15 minutes."),
                btn(_U, "Sign in"),
            ],
            domain="uber.com",
        ),
    ),
)
_U = "https://www.paypal.com/businessprofile/settings/email/confirm?token=EC-8HX29317KL4402918&ctx=Rm9v"
link(
    "paypal_confirm_email_fr",
    _U,
    eml(
        "Confirmez votre adresse e-mail",
        "PayPal <service@paypal.fr>",
        html_body=page(
            "PayPal",
            [
                p("Bonjour Jean Dupont,"),
                p("Confirmez votre adresse e-mail pour profiter pleinement de PayPal."),
                btn(_U, "Confirmer mon adresse e-mail"),
                p("Référence : PPX000512:1.1:7c2e1f0d"),
            ],
            domain="paypal.fr",
            lang="fr",
        ),
        charset="iso-8859-1",
    ),
    lang="fr",
)
_U = "https://www.linkedin.com/e/v2?e=3a7b1c-lx9k2m4q&lipi=urn%3Ali%3Apage%3Aemail_email_confirmation_01&midToken=AQH9x2Lk&midSig=0Zt4&trk=eml-email_confirmation_01-null-0-confirm"
link(
    "linkedin_confirm_both",
    _U,
    eml(
        "Jane, please confirm your email address",
        "LinkedIn <security-noreply@linkedin.com>",
        html_body=page(
            "LinkedIn",
            [
                p("Confirm your email address"),
                p("Enter this code on LinkedIn:"),
                big("204718"),
                p("Or confirm with one click:"),
                btn(_U, "Confirm your email"),
            ],
            domain="linkedin.com",
        ),
    ),
)
_R = "https://www.reddit.com/verification/k2Jd8Q0wYxZ4nM7?correlation_id=6f1c9a2e&ref=verify_email&ref_source=email"
_U = ses(_R)
link(
    "reddit_ses_tracked",
    _U,
    eml(
        "Verify your Reddit email address",
        "Reddit <noreply@redditmail.com>",
        html_body=page(
            "Reddit",
            [
                p("Hi there,"),
                p("Your email address has been added to your Reddit account u/janedoe42."),
                btn(_U, "Verify Email Address"),
                p("If you didn't make this change, please let us know."),
            ],
            domain="reddit.com",
        ),
    ),
    accept=(_R,),
)
_U = "https://www.twitch.tv/user/email-verification?code=AbC1dE2fG3&login=janedoe"
link(
    "twitch_verify_with_code",
    _U,
    eml(
        "Twitch - Verify your email",
        "Twitch <no-reply@twitch.tv>",
        html_body=page(
            "Twitch",
            [
                p("Hey janedoe,"),
                p("Verify your email by entering this code:"),
                big("310952"),
                p("or by clicking the button below:"),
                btn(_U, "Verify Email"),
            ],
            domain="twitch.tv",
        ),
    ),
)
_U = "https://id.heroku.com/account/accept/9482710/5f3e8c1b2d7a4e96a0b1c2d3e4f5a6b7"
link(
    "heroku_accept",
    _U,
    eml(
        "Confirm your account on Heroku",
        "Heroku <noreply@heroku.com>",
        text=f"Thanks for signing up with Heroku! You must follow this link to activate "
        f"your account:\n\n{_U}\n\nHave fun, and don't hesitate to contact us with your "
        "feedback.\n\nThe Heroku Team\nhttps://heroku.com",
        cte="7bit",
    ),
)
_U = mailgun("netlify.com")
link(
    "netlify_mailgun_opaque",
    _U,
    eml(
        "Confirm your email address",
        "Netlify <team@netlify.com>",
        html_body=page(
            "Netlify",
            [
                p("Hello,"),
                p("Please confirm your email address to finish creating your Netlify account."),
                btn(_U, "Confirm email address"),
                p("Netlify, 512 2nd Street, Suite 200, San Francisco, CA 94107"),
            ],
            domain="netlify.com",
        ),
    ),
)
_U = "https://vercel.com/confirm?email=jane.doe%40inbox.waypost.dev&token=Vt8kQ2mX9pLrW4zN&mode=login"
link(
    "vercel_magic_security_words",
    _U,
    eml(
        "Vercel Login Verification",
        "Vercel <notifications@vercel.com>",
        text=f"Verify your Vercel login\n\nWe have received a login attempt with the "
        "following code:\n\nCharming Hedgehog\n\nTo complete the login process, please "
        f"click the button below:\n\n{_U}\n\nIf you didn't attempt to log in but received "
        "this email, please ignore this email.",
        html_body=page(
            "Vercel",
            [
                p("We have received a login attempt with the following code:"),
                big("Charming Hedgehog"),
                p("To complete the login process, please click the button below:"),
                btn(_U, "VERIFY"),
                fallback("Or copy and paste this URL into a new tab of your browser:", _U),
            ],
            domain="vercel.com",
        ),
    ),
)
_U = "https://id.atlassian.com/login/resetpassword?token=eyJhbGciOi.JSUzI1NiJ9.c2lnbg&continue=https%3A%2F%2Fbitbucket.org%2F"
link(
    "bitbucket_reset",
    _U,
    eml(
        "Reset your Bitbucket password",
        "Bitbucket <noreply@bitbucket.org>",
        html_body=page(
            "Bitbucket",
            [
                p(
                    "We heard you need a password reset. Click the link below and you'll be "
                    "redirected to a secure site from which you can set a new password."
                ),
                btn(_U, "Reset password"),
                p("If you didn't try to reset your password, you can safely ignore this."),
            ],
            domain="bitbucket.org",
        ),
    ),
)
_U = "https://pypi.org/account/verify-email/?token=.eJw1jEEKgzAQRe8y6y6SyTRRr1JKGZNRCmpEp0Ip3r1RcPl_f_A_2EvPHTw.ZQ0yBw.7Jb3u"
link(
    "pypi_verify",
    _U,
    eml(
        "[PyPI] Email verification",
        "PyPI <noreply@pypi.org>",
        text=f"Someone, perhaps you, has added this email address (jane.doe@inbox.waypost."
        f"dev) to their PyPI account janedoe.\n\nIf you wish to proceed with this request, "
        f"follow the link below to verify your email address:\n\n{_U}\n\nThis link will "
        "expire in 6 hours.\n\nIf you did not make this request, you can safely ignore "
        "this email.",
        html_body=page(
            "PyPI",
            [
                p(
                    "Someone, perhaps you, has added this email address to their PyPI account "
                    "<strong>janedoe</strong>."
                ),
                p(
                    "If you wish to proceed with this request, "
                    f'<a href="{html.escape(_U)}">click to verify your email address</a>.'
                ),
                p("This link will expire in 6 hours."),
            ],
            domain="pypi.org",
        ),
    ),
)
_R = "https://hub.docker.com/verify-email?code=cKx82mPq0LwZ&uid=7731092"
_U = postmark(_R)
link(
    "dockerhub_postmark",
    _U,
    eml(
        "Please confirm your email address",
        "Docker <no-reply@notify.docker.com>",
        html_body=page(
            "Docker",
            [
                p("Hi janedoe,"),
                p("Thank you for creating a Docker account. Please confirm your email:"),
                btn(_U, "Verify email address"),
                p("Docker, Inc. 3790 El Camino Real #1052, Palo Alto, CA 94306"),
            ],
            domain="docker.com",
        ),
    ),
    accept=(_R,),
)
_U = "https://acme.zendesk.com/verification/email/Hk29sLq0Pz7rX1mW?locale=1"
link(
    "zendesk_set_password",
    _U,
    eml(
        "Welcome to Acme Support - please verify your email",
        "Acme Support <support@acme.zendesk.com>",
        html_body=page(
            "Acme",
            [
                p("Please click the link below to create a password and verify your email:"),
                p(f'<a href="{_U}">{_U}</a>'),
                p("Request #48213 · This email is a service from Acme Support."),
            ],
            domain="acme.com",
        ),
    ),
)
_U = "https://acme.us21.list-manage.com/subscribe/confirm?u=4f1a2b3c4d5e6f7a8b9c0d1e2&id=9a8b7c6d5e&e=1f2e3d4c5b"
link(
    "mailchimp_double_optin",
    _U,
    eml(
        "Acme Weekly: Please Confirm Subscription",
        "Acme Weekly <newsletter@acme.com>",
        text=f"Acme Weekly\n\nPlease Confirm Subscription\n\nYes, subscribe me to this list."
        f"\n{_U}\n\nIf you received this email by mistake, simply delete it. You won't "
        "be subscribed if you don't click the confirmation link above.\n\nFor questions "
        "about this list, please contact:\nnewsletter@acme.com",
        html_body=page(
            "Acme Weekly",
            [
                p("<h2>Please Confirm Subscription</h2>"),
                btn(_U, "Yes, subscribe me to this list."),
                p(
                    "If you received this email by mistake, simply delete it. You won't be "
                    "subscribed if you don't click the confirmation link above."
                ),
            ],
            domain="acme.com",
            footer="Acme Inc · 123 Main St · Springfield, IL 62701 · USA",
        ),
    ),
)
_U = mailgun("substack.com")
link(
    "substack_magic_mailgun",
    _U,
    eml(
        "Sign in to Substack",
        "Substack <no-reply@substack.com>",
        html_body=page(
            "Substack",
            [
                p("Click the link below to sign in to Substack."),
                btn(_U, "Sign in"),
                p("This link will expire in 24 hours and can only be used once."),
                p("548 Market Street PMB 72296, San Francisco, CA 94104"),
            ],
            domain="substack.com",
        ),
    ),
)
_U = "https://medium.com/m/callback/email?token=4c1d2f8a9b3e&operation=login&state=medium&source=email-anon--signin"
link(
    "medium_magic",
    _U,
    eml(
        "Sign in to Medium",
        "Medium <noreply@medium.com>",
        html_body=page(
            "Medium",
            [
                p("Click below to sign in to your Medium account."),
                p("This link will expire in 15 minutes and can only be used once."),
                btn(_U, "Sign in to Medium"),
                fallback("Or use this link:", _U),
            ],
            domain="medium.com",
            footer="Sent by Medium · 548 Market St, PMB 89463, San Francisco, CA 94104",
        ),
    ),
)
_U = "https://www.duolingo.com/email/verify?token=Dq8x2VfK0pLw&redirect=%2Flearn"
link(
    "duolingo_verify",
    _U,
    eml(
        "Please verify your email",
        "Duolingo <hello@duolingo.com>",
        html_body=page(
            "Duolingo",
            [
                p("Hi Jane! Verify your email so you don't lose your 127 day streak."),
                btn(_U, "Verify email"),
            ],
            domain="duolingo.com",
        ),
    ),
)
_U = "https://deliveroo.co.uk/login/magic?token=Rl5xQ8mZ2wK9vT0n&redirect_uri=%2Fmenu"
link(
    "deliveroo_magic",
    _U,
    eml(
        "Your magic link to log in to Deliveroo",
        "Deliveroo <noreply@t.deliveroo.com>",
        html_body=page(
            "Deliveroo",
            [
                p("Tap the button below to log in. This link expires in 15 minutes."),
                btn(_U, "Log in to Deliveroo"),
            ],
            domain="deliveroo.co.uk",
            footer="Roofoods Ltd, The River Building, Level 1 Cannon Place, 1 Cousin Lane, "
            "London EC4R 3TE",
        ),
    ),
)
_U = "https://wolt.com/me/magic_login?token=8f3a9c2e1b7d4e6f&email=jane.doe%40inbox.waypost.dev"
link(
    "wolt_magic_de",
    _U,
    eml(
        "Bei Wolt anmelden",
        "Wolt <info@wolt.com>",
        html_body=page(
            "Wolt",
            [
                p("Hallo!"),
                p("Klicke auf den Button, um dich bei Wolt anzumelden:"),
                btn(_U, "Anmelden"),
                p("Der Link ist 24 Stunden gültig."),
            ],
            domain="wolt.com",
            lang="de",
            footer="Wolt Enterprises Oy, Arkadiankatu 6, 00100 Helsinki, Finland",
        ),
    ),
    lang="de",
)
_U = "https://dash.cloudflare.com/email-verification?token=cF9kQ2xWmP7rT4zY8vN1"
link(
    "cloudflare_verify_text_only",
    _U,
    eml(
        "[Cloudflare]: Please verify your email address",
        "Cloudflare <noreply@notify.cloudflare.com>",
        text=f"Hello,\n\nPlease verify your email address by clicking the link below:\n\n"
        f"{_U}\n\nThis link expires in 24 hours.\n\nCloudflare, Inc. | 101 Townsend St, "
        "San Francisco, CA 94107\nhttps://www.cloudflare.com/privacypolicy/",
        cte="7bit",
    ),
)
_U = "https://login.salesforce.com/setup/secur/RemoteAccessAuthorizationPage.apexp?source=Cc8Kx2&c=9pQ3zT&ec=302"
link(
    "salesforce_verify_account",
    _U,
    eml(
        "Welcome to Salesforce: Verify your account",
        "Salesforce <support@salesforce.com>",
        html_body=page(
            "Salesforce",
            [
                p("Welcome to Salesforce, Jane!"),
                p("To get started, go to Salesforce and verify your account:"),
                btn(_U, "Verify Account"),
                p("Username: jane.doe@acme.com"),
            ],
            domain="salesforce.com",
        ),
    ),
)
_U = "https://d2v8tf04.na1.hubspotlinks.com/Ctc/OQ+113/d2v8tf04/VWnq4k3Zz7WpW8Kc0zm6FxJ9fW3Nq1kv5d2lYmN1Ky0vH3qgyTW7Y8-PT6lZ3lqW7H"
link(
    "hubspot_tracked_verify",
    _U,
    eml(
        "Verify your email to finish setting up HubSpot",
        "HubSpot <noreply@hubspot.com>",
        html_body=page(
            "HubSpot",
            [p("Just one more step: verify your email address."), btn(_U, "Verify email")],
            domain="hubspot.com",
        ),
    ),
)
_U = "https://www.n26.com/de/confirm-email?token=qW3rT8yU2iO0pA5s&lang=de"
link(
    "n26_confirm_de",
    _U,
    eml(
        "Bitte bestätige deine E-Mail-Adresse",
        "N26 <no-reply@n26.com>",
        text=f"Hallo Max,\n\nbitte bestätige deine E-Mail-Adresse, indem du auf folgenden "
        f"Link klickst:\n\n{_U}\n\nDer Link ist 24 Stunden gültig.\n\nN26 Bank SE, "
        "Voltairestraße 8, 10179 Berlin",
        charset="iso-8859-1",
    ),
    lang="de",
)
_U = "https://secure.booking.com/login.html?op=confirm&token=UkZ2bG9kX3RvazM&lang=fr&aid=304142"
link(
    "booking_fr_confirm",
    _U,
    eml(
        "Confirmez votre adresse e-mail",
        "Booking.com <noreply@booking.com>",
        html_body=page(
            "Booking.com",
            [
                p("Bonjour,"),
                p("Confirmez votre adresse e-mail pour finaliser la création de votre compte."),
                btn(_U, "Confirmer"),
                p("Ce lien est valable 24 heures."),
            ],
            domain="booking.com",
            lang="fr",
        ),
        html_cte="base64",
    ),
    lang="fr",
)
_U = "https://www.mercadolivre.com.br/registration/email-validation?token=MLB9x2kQ7pZ&site_id=MLB"
link(
    "mercadolivre_ptbr_link",
    _U,
    eml(
        "Confirme seu e-mail",
        "Mercado Livre <noreply@mercadolivre.com>",
        html_body=page(
            "Mercado Livre",
            [
                p("Olá! Para concluir seu cadastro, confirme seu e-mail."),
                btn(_U, "Confirmar e-mail"),
                fallback("Se o botão não funcionar, copie e cole este link no navegador:", _U),
            ],
            domain="mercadolivre.com.br",
            lang="pt-BR",
        ),
    ),
    lang="pt",
)
_U = "https://accounts.glovoapp.com/es/verify?t=Gv7qL2xN9mK0&c=ES"
link(
    "glovo_es_link",
    _U,
    eml(
        "Verifica tu correo electrónico",
        "Glovo <no-reply@glovoapp.com>",
        html_body=page(
            "Glovo",
            [
                p("¡Hola, Lucía!"),
                p("Pulsa el botón para verificar tu correo electrónico:"),
                btn(_U, "Verificar correo"),
            ],
            domain="glovoapp.com",
            lang="es",
        ),
    ),
    lang="es",
)
_U = "https://account.example-bank.it/attivazione?codice=Ax92Lm0Qz&utente=882910"
link(
    "it_activation",
    _U,
    eml(
        "Attiva il tuo account",
        "Banca Online <noreply@bancaonline.it>",
        text=f"Gentile cliente,\n\nper attivare il tuo account clicca sul seguente link:\n"
        f"{_U}\n\nIl link scade tra 48 ore.\n\nBanca Online S.p.A. – P.IVA 01234567890",
        charset="windows-1252",
    ),
    lang="it",
)
_U = "https://mijn.example.nl/bevestig-email?token=Nl8xW2qP0&ref=registratie"
link(
    "nl_confirm",
    _U,
    eml(
        "Bevestig je e-mailadres",
        "Mijn Omgeving <noreply@example.nl>",
        html_body=page(
            "Mijn Omgeving",
            [
                p("Hoi Sanne,"),
                p("Bevestig je e-mailadres door op de knop hieronder te klikken."),
                btn(_U, "E-mailadres bevestigen"),
            ],
            domain="example.nl",
            lang="nl",
        ),
    ),
    lang="nl",
)
_U = "https://allegro.pl/potwierdz-email?token=PL4kQ9xZ2m&utm_source=mail"
link(
    "pl_confirm",
    _U,
    eml(
        "Potwierdź swój adres e-mail",
        "Allegro <powiadomienia@allegro.pl>",
        html_body=page(
            "Allegro",
            [
                p("Cześć!"),
                p("Kliknij poniższy przycisk, aby potwierdzić swój adres e-mail."),
                btn(_U, "Potwierdzam"),
            ],
            domain="allegro.pl",
            lang="pl",
        ),
        charset="iso-8859-2",
    ),
    lang="pl",
)
_U = "https://www.trendyol.com/uyelik/dogrula?kod=TR8x2kLq0Z&kaynak=eposta"
link(
    "tr_confirm",
    _U,
    eml(
        "E-posta adresinizi doğrulayın",
        "Trendyol <bilgi@trendyol.com>",
        html_body=page(
            "Trendyol",
            [
                p("Merhaba,"),
                p("Üyeliğinizi tamamlamak için e-posta adresinizi doğrulayın."),
                btn(_U, "E-postamı Doğrula"),
            ],
            domain="trendyol.com",
            lang="tr",
        ),
    ),
    lang="tr",
)
_U = "https://login.rakuten.co.jp/rms/verify?token=JPx92kLq0Zm&lang=ja"
link(
    "rakuten_ja_link",
    _U,
    eml(
        "【楽天】メールアドレス確認のお願い",
        "楽天会員サービス <member@rakuten.co.jp>",
        text=f"楽天会員各位\n\n以下のURLをクリックして、メールアドレスの確認を完了してください。\n\n"
        f"{_U}\n\n※URLの有効期限は24時間です。\n\n楽天グループ株式会社",
        charset="iso-2022-jp",
        cte="7bit",
    ),
    lang="ja",
)
_U = "https://passport.bilibili.com/verify/email?code=ZHx82kLq0&ts=1732394467"
link(
    "zh_verify_link",
    _U,
    eml(
        "请验证您的邮箱",
        "哔哩哔哩 <noreply@bilibili.com>",
        html_body=page(
            "哔哩哔哩",
            [
                p("您好："),
                p("请点击下面的按钮验证您的邮箱地址，链接24小时内有效。"),
                btn(_U, "验证邮箱"),
            ],
            domain="bilibili.com",
            lang="zh-CN",
        ),
        charset="gb18030",
        html_cte="base64",
    ),
    lang="zh",
)
_U = "https://nid.naver.com/user2/help/emailConfirm?token=KRx9k2Lq0Z&lang=ko_KR"
link(
    "ko_confirm_link",
    _U,
    eml(
        "[네이버] 이메일 주소 인증",
        "네이버 <navercorp@navercorp.com>",
        html_body=page(
            "NAVER",
            [
                p("아래 버튼을 눌러 이메일 주소 인증을 완료해 주세요."),
                btn(_U, "이메일 인증하기"),
            ],
            domain="naver.com",
            lang="ko",
        ),
    ),
    lang="ko",
)
_U = "https://id.vk.com/restore/confirm?hash=3f9a2c1e7b&uid=58201934"
link(
    "vk_ru_restore",
    _U,
    eml(
        "Восстановление доступа к VK ID",
        "VK ID <admin@id.vk.com>",
        text=f"Здравствуйте!\n\nЧтобы восстановить доступ к странице, перейдите по ссылке:\n"
        f"{_U}\n\nЕсли вы не запрашивали восстановление, проигнорируйте это письмо.",
        charset="koi8-r",
    ),
    lang="ru",
)
_U = "https://www.careem.com/ar/verify-email?token=ARx92kLq0Z&lang=ar"
link(
    "ar_verify_link",
    _U,
    eml(
        "تأكيد البريد الإلكتروني",
        "Careem <no-reply@careem.com>",
        html_body=page(
            "Careem",
            [
                p("مرحبًا،"),
                p("يرجى تأكيد بريدك الإلكتروني بالنقر على الزر أدناه."),
                btn(_U, "تأكيد البريد الإلكتروني"),
            ],
            domain="careem.com",
            lang="ar",
        ),
    ),
    lang="ar",
)
_U = "https://signin.epicgames.com/verify?code=eg7Qx2kLm9&redirectUrl=https%3A%2F%2Fstore.epicgames.com%2F"
link(
    "epic_link_with_code_both",
    _U,
    eml(
        "Verify your email address",
        "Epic Games <help@acct.epicgames.com>",
        html_body=page(
            "Epic Games",
            [
                p("Enter this code to verify your email:"),
                big("QX7P2K"),
                p("Or click the button:"),
                btn(_U, "Verify email"),
            ],
            domain="epicgames.com",
        ),
    ),
)
_U = "https://gitlab.com/users/confirmation?confirmation_token=zX8mQ2kLp9Rt"
link(
    "gitlab_confirm",
    _U,
    eml(
        "Confirmation instructions",
        "GitLab <gitlab@mg.gitlab.com>",
        text=f"Welcome, Jane Doe!\n\nYou can confirm your email (jane.doe@inbox.waypost."
        f"dev) through the link below:\n\n{_U}\n\nIf this email was added in error, you "
        "can remove it here: https://gitlab.com/-/profile/emails",
        html_body=page(
            "GitLab",
            [
                p("Welcome, Jane Doe!"),
                p("You can confirm your email through the link below:"),
                p(f'<a href="{_U}">Confirm your account</a>'),
                p(
                    'If this email was added in error, you can <a href="https://gitlab.com/-/'
                    'profile/emails">remove it here</a>.'
                ),
            ],
            domain="gitlab.com",
        ),
    ),
)
_U = "https://www.npmjs.com/verify-email?token=npm_Vq8x2kLm0PzR&utm_source=email"
link(
    "npm_verify_email",
    _U,
    eml(
        "Verify your npm email address",
        "npm <support@npmjs.com>",
        text=f"Hi, janedoe!\n\nPlease verify your email address by visiting:\n\n{_U}\n\n"
        "Thanks,\nThe npm team",
        cte="7bit",
    ),
)
_U = "https://cloud.digitalocean.com/verify_email?token=do2kQ9xLm0&amp_id=77"
link(
    "digitalocean_amp_literal",
    _U,
    eml(
        "Please confirm your email address",
        "DigitalOcean <support@digitalocean.com>",
        html_body=page(
            "DigitalOcean",
            [p("Thanks for signing up! Please confirm your email:"), btn(_U, "Confirm Email")],
            domain="digitalocean.com",
        ),
    ),
)
_U = "https://www.canva.com/login/magic?token=cv9Q2xLk0m&redirect=%2Fdesign%2FDAF"
link(
    "canva_magic_auto",
    _U,
    eml(
        "Log in to Canva",
        "Canva <no-reply@canva.com>",
        html_body=page(
            "Canva",
            [p("Click the button below to log in to Canva."), btn(_U, "Log in")],
            domain="canva.com",
        ),
    ),
)
LINKS[-1] = Blind(
    LINKS[-1].name, "magic_link", LINKS[-1].value, LINKS[-1].raw, ask="auto", lang="en"
)

# ================================================================ hard negatives

NONE: list[Blind] = []


def neg(name: str, raw: bytes, lang: str = "en") -> None:
    NONE.append(Blind(name, "none", None, raw, lang=lang))


neg(
    "uber_trip_receipt",
    eml(
        "Your Sunday evening trip with Uber",
        "Uber Receipts <noreply@uber.com>",
        html_body=page(
            "Uber",
            [
                p("<b>Total €18.40</b>"),
                p("Thanks for riding, Jane. November 22, 2026 · 21:14"),
                p("Trip fare €15.90 · Booking fee €2.50 · Paid with Visa ••••4821"),
                p("UberX · 6.2 km · 17 min · Pickup 20:57 Friedrichstraße 123, 10117 Berlin"),
                p("Trip ID 7f3a9c2e-1b7d-4e6f-8a0b-2c4d6e8f0a1b"),
            ],
            domain="uber.com",
        ),
    ),
)
neg(
    "airbnb_reservation_confirmation_code",
    eml(
        "Reservation confirmed for Lisbon",
        "Airbnb <automated@airbnb.com>",
        html_body=page(
            "Airbnb",
            [
                p("<b>Your reservation is confirmed</b> — you're going to Lisbon!"),
                p("Check-in Fri, Dec 4, 2026 3:00 PM · Checkout Mon, Dec 7, 2026 11:00 AM"),
                p("Confirmation code<br><b>HMK4Z9QX2P</b>"),
                p("Total (EUR) €412.35 · 3 guests"),
                btn("https://www.airbnb.com/trips/v1/HMK4Z9QX2P", "View itinerary"),
            ],
            domain="airbnb.com",
        ),
    ),
)
neg(
    "paypal_payment_sent",
    eml(
        "Sie haben eine Zahlung gesendet",
        "PayPal <service@paypal.de>",
        text="Hallo Max Mustermann,\n\nSie haben eine Zahlung über 42,50 € EUR an Acme "
        "GmbH gesendet.\n\nTransaktionscode: 7XK12345AB678901C\nDatum: 23. November 2026\n"
        "Rechnungsnummer: 2026-004821\n\nPayPal (Europe) S.à r.l. et Cie, S.C.A.",
        charset="iso-8859-15",
    ),
    lang="de",
)
neg(
    "dropbox_password_changed",
    eml(
        "Your Dropbox password was changed",
        "Dropbox <no-reply@dropbox.com>",
        html_body=page(
            "Dropbox",
            [
                p("Hi Jane,"),
                p(
                    "The password for your Dropbox account was changed on November 23, 2026 at "
                    "8:39 PM (UTC) from IP address 198.51.100.77 (Berlin, Germany)."
                ),
                p("If you made this change, you don't need to do anything."),
                p(
                    'If you didn\'t, <a href="https://www.dropbox.com/forgot">reset your password'
                    "</a> right away."
                ),
            ],
            domain="dropbox.com",
        ),
    ),
)
neg(
    "gitlab_2fa_disabled",
    eml(
        "Two-factor authentication disabled",
        "GitLab <gitlab@mg.gitlab.com>",
        text="Hi Jane Doe!\n\nTwo-factor authentication has been disabled for your GitLab "
        "account. If you did not disable 2FA, please reset your password and contact "
        "support.\n\nTime: 2026-11-23 20:31:17 UTC\nIP: 203.0.113.77\nLocation: Paris, "
        "France\n\nhttps://gitlab.com/-/user_settings/two_factor_auth",
    ),
)
neg(
    "mercadolibre_shipped_tracking",
    eml(
        "¡Tu paquete está en camino!",
        "Mercado Libre <info@mercadolibre.com.mx>",
        html_body=page(
            "Mercado Libre",
            [
                p("Tu compra de <b>Audífonos inalámbricos</b> ya está en camino."),
                p("Llega el jueves 26 de noviembre. Número de seguimiento: 482913057261"),
                p("Pedido #2000004827391 · Total $1,299.00"),
                btn("https://www.mercadolibre.com.mx/compras/2000004827391", "Ver compra"),
            ],
            domain="mercadolibre.com.mx",
            lang="es",
        ),
    ),
    lang="es",
)
neg(
    "rakuten_order_ja",
    eml(
        "【楽天市場】注文内容ご確認（自動配信メール）",
        "楽天市場 <order@rakuten.co.jp>",
        text="この度は楽天市場をご利用いただきありがとうございます。\n\n[受注番号] "
        "284913-20261123-0482913\n[注文日時] 2026-11-23 21:40:12\n[合計金額] 3,980円\n"
        "[お届け予定] 2026年11月26日\n\n楽天グループ株式会社",
        charset="iso-2022-jp",
        cte="7bit",
    ),
    lang="ja",
)
neg(
    "spotify_wrapped_newsletter",
    eml(
        "Your 2026 Wrapped is here 🎉",
        "Spotify <no-reply@spotify.com>",
        html_body=page(
            "Spotify",
            [
                p("You listened to 48,213 minutes of music in 2026."),
                p("Top genre: Indie · 1,204 artists · 312 new discoveries"),
                p("Premium Family now just €17.99/month — offer ends 31.12.2026."),
                btn("https://open.spotify.com/wrapped?ref=email&year=2026", "See your Wrapped"),
            ],
            domain="spotify.com",
        ),
    ),
)
neg(
    "zoom_meeting_invite_passcode",
    eml(
        "Invitation: Q4 planning @ Tue Nov 24, 2026 10am - 11am (CET)",
        "Jane Doe <jane@acme.com>",
        text="Jane Doe is inviting you to a scheduled Zoom meeting.\n\nTopic: Q4 planning\n"
        "Time: Nov 24, 2026 10:00 AM Berlin\n\nJoin Zoom Meeting\n"
        "https://us06web.zoom.us/j/83429104827?pwd=bXlQa2xOd3R6M0Z2b1hXZz09\n\n"
        "Meeting ID: 834 2910 4827\nPasscode: 482913\n\nOne tap mobile\n"
        "+496971049922,,83429104827#,,,,*482913# Germany",
    ),
)
neg(
    "netflix_new_signin",
    eml(
        "Neue Anmeldung bei Netflix",
        "Netflix <info@account.netflix.com>",
        html_body=page(
            "Netflix",
            [
                p("Wir haben eine Anmeldung in deinem Konto von einem neuen Gerät bemerkt."),
                p("Gerät: Smart TV · Ort: Hamburg, Deutschland · Zeit: 23.11.2026, 21:40 MEZ"),
                p("Warst du das nicht? Ändere sofort dein Passwort."),
                btn("https://www.netflix.com/password", "Passwort ändern"),
            ],
            domain="netflix.com",
            lang="de",
        ),
    ),
    lang="de",
)
neg(
    "coinbase_withdrawal",
    eml(
        "You sent 0.05 BTC",
        "Coinbase <no-reply@coinbase.com>",
        html_body=page(
            "Coinbase",
            [
                p(
                    "You sent 0.05000000 BTC (≈ $4,823.10) to bc1qxy2kgdygjrsqtzq2n0yrf2493p83"
                    "kkfjhx0wlh"
                ),
                p("Transaction ID: 3a7f9c2e1b8d4e6f0a2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f"),
                p("Date: Nov 23, 2026 8:40 PM UTC · Network fee 0.00002104 BTC"),
            ],
            domain="coinbase.com",
        ),
    ),
)
neg(
    "deliveroo_receipt",
    eml(
        "Your Deliveroo order receipt",
        "Deliveroo <noreply@t.deliveroo.com>",
        text="Thanks for your order, Jane!\n\nOrder #4821 from Dishoom Shoreditch\n"
        "2x Chicken Ruby £27.80\n1x Garlic Naan £4.50\nDelivery fee £2.99\nTotal £35.29\n\n"
        "Delivered at 20:41 to 12 Hoxton Sq, London N1 6NT",
    ),
)
neg(
    "duolingo_streak",
    eml(
        "🔥 Don't lose your 127 day streak!",
        "Duolingo <hello@duolingo.com>",
        html_body=page(
            "Duolingo",
            [
                p("You're on a 127 day streak! Practice for 5 minutes to keep it going."),
                p("You earned 1,482 XP this week · League: Sapphire · Rank #4"),
                btn("https://www.duolingo.com/lesson?ref=streak_reminder", "Start a lesson"),
            ],
            domain="duolingo.com",
        ),
    ),
)
neg(
    "tiktok_new_login_notice",
    eml(
        "New login to your TikTok account",
        "TikTok <no-reply@account.tiktok.com>",
        text="We noticed a new login to your account @janedoe.\n\nDevice: iPhone 15\n"
        "Location: Madrid, Spain\nTime: 2026-11-23 21:40 CET\nIP: 203.0.113.7\n\nIf this "
        "was you, you can ignore this message. If not, change your password.",
    ),
)
neg(
    "gitlab_pipeline_failed",
    eml(
        "acme/web | Failed pipeline for main | 4f3a9c2e",
        "GitLab <gitlab@mg.gitlab.com>",
        text="Pipeline #482913 has failed!\n\nProject: acme / web\nBranch: main\nCommit: "
        "4f3a9c2e\nCommit Author: Jane Doe\n\nStage: test, Job #7391045 rspec 3/8\n\n"
        "https://gitlab.com/acme/web/-/pipelines/482913",
    ),
)
neg(
    "zendesk_ticket_update",
    eml(
        "[Acme Support] Re: Refund request (#482913)",
        "Acme Support <support@acme.zendesk.com>",
        html_body=page(
            "Acme Support",
            [
                p("##- Please type your reply above this line -##"),
                p(
                    "Your request (482913) has been updated. To add additional comments, reply "
                    "to this email."
                ),
                p(
                    "<b>Tom (Acme)</b> Nov 23, 2026, 21:40 CET<br>We've issued a refund of "
                    "$49.00. It should arrive within 5-10 business days."
                ),
            ],
            domain="acme.com",
        ),
    ),
)
neg(
    "alipay_bill_zh",
    eml(
        "支付宝账单提醒",
        "支付宝 <service@mail.alipay.com>",
        text="尊敬的用户：\n\n您11月的账单金额为 ¥1,284.50，最后还款日为2026年12月10日。\n"
        "账单编号：20261123048291\n\n客服热线 95188",
        charset="gb18030",
        cte="base64",
    ),
    lang="zh",
)
neg(
    "de_tax_notice",
    eml(
        "Neue Nachricht in Ihrem ELSTER-Postfach",
        "ELSTER <noreply@elster.de>",
        text="Sehr geehrte Damen und Herren,\n\nin Ihrem Postfach liegt eine neue Nachricht "
        "zum Steuerbescheid 2025 bereit.\n\nSteuernummer: 21/815/08150\nIdNr: 12 345 678 "
        "901\nAktenzeichen: 4829-13\n\nBitte melden Sie sich unter https://www.elster.de an.",
        charset="iso-8859-1",
    ),
    lang="de",
)
neg(
    "npm_package_published",
    eml(
        "Successfully published @acme/utils@4.12.0",
        "npm <support@npmjs.com>",
        text="Hi janedoe!\n\nA new version of the package @acme/utils (4.12.0) was "
        "published at 2026-11-23T20:40:51.482Z from 203.0.113.9. The shasum of this "
        "package was 8f3a9c2e1b7d4e6f8a0b2c4d6e8f0a1b3c5d7e9f.\n\nIf you have questions or "
        "security concerns, you can reply to this message.",
    ),
)
neg(
    "ar_bank_transaction",
    eml(
        "إشعار عملية",
        "البنك <noreply@bank.sa>",
        html_body=page(
            "Bank",
            [
                p("تمت عملية شراء بمبلغ 482.50 ريال من بطاقتك المنتهية بـ 4821"),
                p("التاريخ: 2026/11/23 الساعة 21:40"),
                p("رقم المرجع: 739105284"),
            ],
            domain="bank.sa",
            lang="ar",
        ),
    ),
    lang="ar",
)
neg(
    "kakao_payment_receipt_ko",
    eml(
        "[카카오페이] 결제 완료 안내",
        "카카오페이 <noreply@kakaopay.com>",
        text="결제가 완료되었습니다.\n\n결제금액: 38,900원\n결제일시: 2026.11.23 21:40\n"
        "승인번호: 30571842\n가맹점: 스타벅스 강남점",
        charset="euc-kr",
    ),
    lang="ko",
)
neg(
    "booking_confirmation",
    eml(
        "Thanks! Your booking is confirmed at Hotel Arts",
        "Booking.com <noreply@booking.com>",
        html_body=page(
            "Booking.com",
            [
                p("Your booking in Barcelona is confirmed."),
                p("Booking number: 4021.938.572"),
                p(
                    "Check-in: Friday, December 4, 2026 (from 15:00)<br>Check-out: Monday, "
                    "December 7, 2026 (until 12:00)"
                ),
                p("Total price: € 684"),
            ],
            domain="booking.com",
        ),
    ),
)

ALL: list[Blind] = OTP + LINKS + NONE
