"""Builders for raw RFC 5322 test emails (hand-controlled charsets and transfer encodings)."""

from __future__ import annotations

import base64
import html
import quopri
import random
from email.header import Header
from email.utils import formataddr

RNG = random.Random(13_4)

URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def tok(n: int, alphabet: str = URLSAFE) -> str:
    s = "".join(RNG.choice(alphabet) for _ in range(n))
    return s.strip("-_") + "".join(RNG.choice(ALNUM) for _ in range(n - len(s.strip("-_"))))


def hexs(n: int) -> str:
    return "".join(RNG.choice("0123456789abcdef") for _ in range(n))


def boundary() -> str:
    return "----=_Part_" + "".join(RNG.choice("0123456789") for _ in range(12)) + "." + hexs(8)


def enc_body(text: str, charset: str, cte: str) -> bytes:
    b = text.encode(charset)
    if cte == "base64":
        return base64.encodebytes(b)
    if cte == "quoted-printable":
        return quopri.encodestring(b)
    if cte == "7bit":
        b.decode("ascii")
    return b


def leaf(subtype: str, text: str, charset: str = "utf-8", cte: str = "quoted-printable",
         extra: str = "") -> bytes:
    h = f'Content-Type: text/{subtype}; charset="{charset}"\nContent-Transfer-Encoding: {cte}\n'
    h += extra
    body = enc_body(text, charset, cte)
    if not body.endswith(b"\n"):
        body += b"\n"
    return h.encode() + b"\n" + body


def multi(subtype: str, parts: list[bytes], preamble: str = "") -> bytes:
    b = boundary()
    out = f'Content-Type: multipart/{subtype};\n boundary="{b}"\n\n'.encode()
    if preamble:
        out += preamble.encode() + b"\n"
    for p in parts:
        out += f"--{b}\n".encode() + p + b"\n"
    out += f"--{b}--\n".encode()
    return out


def rfc822(raw: bytes, filename: str) -> bytes:
    return (
        f'Content-Type: message/rfc822\nContent-Disposition: attachment; filename="{filename}"\n\n'
    ).encode() + raw


def hdr(s: str, charset: str = "utf-8") -> str:
    try:
        s.encode("ascii")
        return s
    except UnicodeEncodeError:
        return Header(s, charset).encode()


def addr(name: str, email: str, charset: str = "utf-8") -> str:
    try:
        name.encode("ascii")
        return formataddr((name, email))
    except UnicodeEncodeError:
        return f"{Header(name, charset).encode()} <{email}>"


def message(frm: str, to: str, subject: str, date: str, body: bytes, domain: str,
            extra: list[tuple[str, str]] | None = None, charset: str = "utf-8") -> bytes:
    lines = [
        f"From: {frm}",
        f"To: {to}",
        f"Subject: {hdr(subject, charset)}",
        f"Date: {date}",
        f"Message-ID: <{RNG.randrange(10**11, 10**12)}.{hexs(10)}@{domain}>",
        "MIME-Version: 1.0",
    ]
    for k, v in extra or []:
        lines.append(f"{k}: {v}")
    return ("\n".join(lines) + "\n").encode() + body


def alt(text: str, html_: str, charset: str = "utf-8", tcte: str = "quoted-printable",
        hcte: str = "quoted-printable") -> bytes:
    return multi("alternative", [leaf("plain", text, charset, tcte), leaf("html", html_, charset, hcte)])


# --- template noise -------------------------------------------------------------------

FOOT = {
    "en": ("Unsubscribe", "Email preferences", "Privacy policy", "Help centre",
           "You are receiving this email because you have an account with {b}.",
           "All rights reserved."),
    "de": ("Abmelden", "E-Mail-Einstellungen", "Datenschutz", "Hilfe",
           "Sie erhalten diese E-Mail, weil Sie ein Konto bei {b} haben.",
           "Alle Rechte vorbehalten."),
    "fr": ("Se désabonner", "Préférences e-mail", "Confidentialité", "Aide",
           "Vous recevez cet e-mail car vous avez un compte {b}.", "Tous droits réservés."),
    "es": ("Darse de baja", "Preferencias de correo", "Privacidad", "Ayuda",
           "Recibes este correo porque tienes una cuenta en {b}.",
           "Todos los derechos reservados."),
    "pt": ("Cancelar inscrição", "Preferências de e-mail", "Privacidade", "Ajuda",
           "Você está recebendo este e-mail porque tem uma conta na {b}.",
           "Todos os direitos reservados."),
    "it": ("Annulla iscrizione", "Preferenze e-mail", "Privacy", "Assistenza",
           "Ricevi questa e-mail perché hai un account {b}.", "Tutti i diritti riservati."),
    "nl": ("Afmelden", "E-mailvoorkeuren", "Privacybeleid", "Klantenservice",
           "Je ontvangt deze e-mail omdat je een account hebt bij {b}.",
           "Alle rechten voorbehouden."),
    "pl": ("Wypisz się", "Ustawienia powiadomień", "Polityka prywatności", "Pomoc",
           "Otrzymujesz tę wiadomość, ponieważ masz konto w {b}.",
           "Wszelkie prawa zastrzeżone."),
    "ja": ("配信停止", "メール設定", "プライバシーポリシー", "ヘルプ",
           "このメールは{b}にご登録のお客様にお送りしています。", "All rights reserved."),
    "zh": ("退订", "邮件偏好设置", "隐私政策", "帮助中心",
           "您收到此邮件是因为您注册了{b}账户。", "保留所有权利。"),
    "ko": ("수신 거부", "알림 설정", "개인정보처리방침", "고객센터",
           "본 메일은 {b} 회원님께 발송되었습니다.", "All rights reserved."),
    "ru": ("Отписаться", "Настройки рассылки", "Политика конфиденциальности", "Помощь",
           "Вы получили это письмо, потому что зарегистрированы в {b}.",
           "Все права защищены."),
    "tr": ("Abonelikten çık", "E-posta tercihleri", "Gizlilik", "Yardım",
           "Bu e-postayı {b} hesabınız olduğu için alıyorsunuz.", "Tüm hakları saklıdır."),
    "ar": ("إلغاء الاشتراك", "تفضيلات البريد", "سياسة الخصوصية", "المساعدة",
           "تلقيت هذه الرسالة لأن لديك حسابًا في {b}.", "جميع الحقوق محفوظة."),
    "sv": ("Avsluta prenumeration", "E-postinställningar", "Integritetspolicy", "Hjälp",
           "Du får det här mejlet eftersom du har ett konto hos {b}.",
           "Alla rättigheter förbehållna."),
}


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def render(blocks: list[tuple[str, ...]]) -> tuple[str, str]:
    """Blocks -> (plain text, html fragment)."""
    t: list[str] = []
    h: list[str] = []
    for b in blocks:
        k = b[0]
        if k == "p":
            t.append(b[1])
            h.append(f'<p style="margin:0 0 16px;font-size:15px;line-height:22px">{esc(b[1])}</p>')
        elif k == "ph":  # separate text and html renderings
            t.append(b[1])
            h.append(f'<p style="margin:0 0 16px;font-size:15px;line-height:22px">{b[2]}</p>')
        elif k == "h":
            t.append(b[1])
            h.append(f'<h1 style="font-size:22px;margin:0 0 16px">{esc(b[1])}</h1>')
        elif k == "code":
            t.append("    " + b[1])
            h.append(
                '<table role="presentation" align="center"><tr><td style="font-family:'
                "Menlo,Consolas,monospace;font-size:30px;font-weight:700;letter-spacing:4px;"
                f'background:#f2f4f7;padding:14px 24px;border-radius:6px">{esc(b[1])}</td></tr></table>'
            )
        elif k == "button":  # label, url
            t.append(f"{b[1]}:\n{b[2]}")
            h.append(
                '<table role="presentation" align="center" cellpadding="0" cellspacing="0"><tr>'
                f'<td style="background:#1a73e8;border-radius:6px"><a href="{esc(b[2])}" '
                'style="display:inline-block;padding:12px 28px;color:#ffffff;font-weight:bold;'
                f'text-decoration:none" target="_blank">{esc(b[1])}</a></td></tr></table>'
            )
        elif k == "link":  # lead text, url
            t.append(f"{b[1]}\n{b[2]}")
            h.append(
                f'<p style="font-size:13px;color:#555">{esc(b[1])}<br><a href="{esc(b[2])}" '
                f'style="color:#1a73e8;word-break:break-all">{esc(b[2])}</a></p>'
            )
        elif k == "small":
            t.append(b[1])
            h.append(f'<p style="font-size:12px;color:#888;margin:0 0 12px">{esc(b[1])}</p>')
        elif k == "table":  # rows of (label, value)
            t.append("\n".join(f"{a}: {v}" for a, v in b[1]))
            rows = "".join(
                f'<tr><td style="color:#666;padding:4px 12px 4px 0">{esc(a)}</td>'
                f'<td style="font-weight:600">{esc(v)}</td></tr>'
                for a, v in b[1]
            )
            h.append(f'<table role="presentation" style="font-size:14px">{rows}</table>')
        elif k == "raw":  # text, html
            t.append(b[1])
            h.append(b[2])
        else:
            raise ValueError(k)
    return "\n\n".join(t), "\n".join(h)


def page(brand: str, domain: str, lang: str, blocks: list[tuple[str, ...]],
         address: str = "", social: bool = True, preheader: str = "") -> tuple[str, str]:
    """A full branded template: logo, content, social links, footer with unsubscribe."""
    unsub_t, prefs_t, priv_t, help_t, why_t, rights_t = FOOT[lang]
    unsub = f"https://email.{domain}/unsubscribe?u={tok(22)}&list=transactional&sig={hexs(16)}"
    prefs = f"https://{domain}/settings/notifications?utm_source=email&utm_medium=footer"
    priv = f"https://{domain}/legal/privacy"
    helpu = f"https://help.{domain}/"
    slug = domain.split(".")[0].replace("-", "")
    socials = [
        ("Facebook", f"https://www.facebook.com/{slug}"),
        ("Instagram", f"https://www.instagram.com/{slug}/"),
        ("X", f"https://x.com/{slug}"),
        ("LinkedIn", f"https://www.linkedin.com/company/{slug}"),
    ]
    text, frag = render(blocks)
    foot_t = [
        "--",
        why_t.format(b=brand),
        f"{help_t}: {helpu}",
        f"{priv_t}: {priv}",
        f"{unsub_t}: {unsub}",
    ]
    if address:
        foot_t.append(address)
    foot_t.append(f"© 2026 {brand}. {rights_t}")
    text = text + "\n\n" + "\n".join(foot_t) + "\n"
    soc_h = ""
    if social:
        soc_h = (
            '<tr><td align="center" style="padding:12px 0">'
            + " ".join(
                f'<a href="{u}"><img src="https://cdn.{domain}/email/icons/{n.lower()}.png" '
                f'width="24" height="24" alt="{n}"></a>'
                for n, u in socials
            )
            + "</td></tr>"
        )
    pre = (
        f'<div style="display:none;max-height:0;overflow:hidden">{esc(preheader)}</div>'
        if preheader else ""
    )
    addr_h = f"<br>{esc(address)}" if address else ""
    html_ = (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(brand)}</title></head>\n"
        f'<body style="margin:0;padding:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif">{pre}\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">\n'
        '<table role="presentation" width="600" cellpadding="0" cellspacing="0" '
        'style="background:#ffffff;margin:24px 0;border-radius:8px">\n'
        f'<tr><td style="padding:24px 32px"><a href="https://{domain}/?utm_source=email">'
        f'<img src="https://cdn.{domain}/email/logo@2x.png" width="120" alt="{esc(brand)}"></a></td></tr>\n'
        f'<tr><td style="padding:0 32px 24px;color:#1f2328">\n{frag}\n</td></tr>\n'
        f"{soc_h}\n"
        '<tr><td style="padding:16px 32px;font-size:11px;color:#8a8f98;border-top:1px solid #eee">'
        f"{esc(why_t.format(b=brand))}<br>"
        f'<a href="{esc(helpu)}" style="color:#8a8f98">{esc(help_t)}</a> · '
        f'<a href="{esc(priv)}" style="color:#8a8f98">{esc(priv_t)}</a> · '
        f'<a href="{esc(prefs)}" style="color:#8a8f98">{esc(prefs_t)}</a> · '
        f'<a href="{esc(unsub)}" style="color:#8a8f98">{esc(unsub_t)}</a>'
        f"{addr_h}<br>© 2026 {esc(brand)}. {esc(rights_t)}</td></tr>\n"
        "</table></td></tr></table>\n"
        f'<img src="https://email.{domain}/o/{tok(30)}.gif" width="1" height="1" alt="">\n'
        "</body></html>\n"
    )
    return text, html_


def personal_html(paras: list[str]) -> str:
    return "".join(f'<div dir="ltr">{p}</div>' if p else "<div><br></div>" for p in paras)


def quote_text(text: str) -> str:
    return "\n".join(("> " + line) if line else ">" for line in text.splitlines())
