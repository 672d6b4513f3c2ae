"""Shape 3: forwarded and replied mail — new value on top, an older verification mail quoted."""

from __future__ import annotations

import re

from lib import addr, alt, esc, leaf, message, multi, page, personal_html, quote_text, rfc822, tok

GQ = "margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"


def body_of(html_: str) -> str:
    m = re.search(r"<body[^>]*>(.*)</body>", html_, re.S)
    return m.group(1) if m else html_


def gmail_fwd(top: list[str], label: str, hdrs: list[tuple[str, str]], old: tuple[str, str],
              top_html: list[str] | None = None) -> tuple[str, str]:
    text = "\n".join(top) + f"\n\n---------- {label} ---------\n"
    text += "\n".join(f"{k}: {v}" for k, v in hdrs) + "\n\n\n" + old[0]
    hh = "<br>".join(f"{esc(k)}: {esc(v)}" for k, v in hdrs)
    html_ = (
        '<div dir="ltr">' + personal_html(top_html or [esc(x) for x in top])
        + f'<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- {esc(label)}'
        f" ---------<br>{hh}<br></div><br><br>{body_of(old[1])}</div></div>\n"
    )
    return text, html_


def gmail_reply(top: list[str], attr: str, old: tuple[str, str],
                top_html: list[str] | None = None) -> tuple[str, str]:
    text = "\n".join(top) + "\n\n" + attr + "\n\n" + quote_text(old[0]) + "\n"
    html_ = (
        '<div dir="ltr">' + personal_html(top_html or [esc(x) for x in top]) + "</div><br>"
        f'<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{esc(attr)}<br></div>'
        f'<blockquote class="gmail_quote" style="{GQ}">{body_of(old[1])}</blockquote></div>\n'
    )
    return text, html_


def outlook(top: list[str], hdrs: list[tuple[str, str]], old: tuple[str, str],
            marker: str = "________________________________",
            top_html: list[str] | None = None) -> tuple[str, str]:
    text = "\n".join(top) + f"\n\n{marker}\n" + "\n".join(f"{k}: {v}" for k, v in hdrs)
    text += "\n\n" + old[0]
    hh = "<br>\n".join(f"<b>{esc(k)}:</b> {esc(v)}" for k, v in hdrs)
    tops = "".join(
        '<div style="font-family:Aptos,Calibri,Helvetica,sans-serif;font-size:12pt;color:rgb(0,0,0)">'
        f"{x or '<br>'}</div>" for x in (top_html or [esc(x) for x in top])
    )
    html_ = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<style type="text/css" style="display:none;">P {margin-top:0;margin-bottom:0;}</style>'
        f'</head><body dir="ltr">{tops}<div id="appendonsend"></div>'
        '<hr style="display:inline-block;width:98%" tabindex="-1">'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" '
        f'style="font-size:11pt" color="#000000">{hh}</font><div>&nbsp;</div></div>'
        f"<div>{body_of(old[1])}</div></body></html>\n"
    )
    return text, html_


def vmail(brand: str, domain: str, lang: str, blocks, address: str = "") -> tuple[str, str]:
    return page(brand, domain, lang, blocks, address=address)


def build(add):
    # C1 en: Gmail forward, new code on top, old code in the forwarded mail
    new, old_code = "604918", "215377"
    old = vmail("Ledgerly", "ledgerly.example", "en", [
        ("h", "Your sign-in code"), ("p", "Enter this code to sign in to Ledgerly:"),
        ("code", old_code), ("p", "It expires in 10 minutes. Never share this code."),
    ], "Ledgerly Ltd, 20 Station Rd, Cambridge CB1 2JD")
    top = ["Hi Sam,", "",
           f"The code below expired before you got to it. Ledgerly just sent me a new one: {new}",
           "It's valid for 10 minutes. Old email below for reference.", "", "Thanks,", "Maya"]
    th = ["Hi Sam,", "", f"The code below expired before you got to it. Ledgerly just sent me a "
          f"new one: <b>{new}</b>", "It's valid for 10 minutes. Old email below for reference.",
          "", "Thanks,", "Maya"]
    text, html_ = gmail_fwd(top, "Forwarded message", [
        ("From", "Ledgerly <security@ledgerly.example>"), ("Date", "Tue, Nov 3, 2026 at 9:12 AM"),
        ("Subject", "Your Ledgerly sign-in code"), ("To", "<maya.chen@waypost.localhost>")],
        old, th)
    raw = message(addr("Maya Chen", "maya.chen@waypost.localhost"), "sam@waypost.localhost",
                  "Fwd: Your Ledgerly sign-in code", "Tue, 03 Nov 2026 09:31:05 +0000",
                  alt(text, html_), "mail.gmail.example")
    add(raw, "otp", new, "en", "quoted", "person forwarding an accounting-app code (Gmail style)",
        "new code in the top text; older code 215377 in the forwarded message")

    # C2 de: Gmail reply, new magic link on top, old invitation link quoted
    newl = f"https://teamraum.example/einladung/annehmen?token={tok(32)}"
    oldl = f"https://teamraum.example/einladung/annehmen?token={tok(32)}"
    old = vmail("Teamraum", "teamraum.example", "de", [
        ("h", "Sie wurden eingeladen"),
        ("p", "Jana Keller hat Sie in den Arbeitsbereich „Marketing DACH“ eingeladen."),
        ("button", "Einladung annehmen", oldl),
        ("p", "Der Link ist 48 Stunden gültig."),
    ], "Teamraum GmbH, Schanzenstraße 6, 20357 Hamburg")
    top = ["Hallo Tobias,", "", "der Link unten ist leider abgelaufen. Hier ist eine neue Einladung:",
           newl, "", "Viele Grüße", "Jana"]
    th = ["Hallo Tobias,", "", "der Link unten ist leider abgelaufen. Hier ist eine neue Einladung:",
          f'<a href="{esc(newl)}">{esc(newl)}</a>', "", "Viele Grüße", "Jana"]
    text, html_ = gmail_reply(
        top, "Am Mo., 2. Nov. 2026 um 09:14 Uhr schrieb Teamraum <einladung@teamraum.example>:",
        old, th)
    raw = message(addr("Jana Keller", "jana.keller@waypost.localhost"), "tobias@waypost.localhost",
                  "Re: Einladung zu Teamraum", "Tue, 03 Nov 2026 10:02:44 +0100",
                  alt(text, html_, "utf-8", "quoted-printable", "quoted-printable"),
                  "mail.gmail.example",
                  [("In-Reply-To", "<20261102081400.4821@teamraum.example>")])
    add(raw, "magic_link", newl, "de", "quoted", "colleague re-sending a workspace invitation",
        "new invitation link on top; expired link in the gmail_quote blockquote")

    # C3 fr: Outlook reply (divRplyFwdMsg), new code on top
    new, old_code = "381557", "902144"
    old = vmail("Mutuelle Azur", "mutuelle-azur.example", "fr", [
        ("h", "Code de sécurité"),
        ("p", "Votre code de sécurité pour accéder à votre espace adhérent est :"),
        ("code", old_code), ("p", "Il est valable 5 minutes."),
        ("small", "N° adhérent : 0048213771"),
    ], "Mutuelle Azur, 4 quai Jules Guesde, 94200 Ivry-sur-Seine")
    top = ["Bonjour Julien,", "",
           f"Le code ci-dessous ne marche plus. Le nouveau code que je viens de recevoir est {new}.",
           "", "Bien cordialement,", "Nathalie Girard", "Service RH"]
    text, html_ = outlook(top, [
        ("De", "Mutuelle Azur <securite@mutuelle-azur.example>"),
        ("Envoyé", "lundi 2 novembre 2026 16:41"), ("À", "Nathalie Girard"),
        ("Objet", "Votre code de sécurité")], old)
    text = text.replace("De: ", "De : ").replace("Envoyé: ", "Envoyé : ").replace(
        "À: ", "À : ").replace("Objet: ", "Objet : ")
    raw = message(addr("Nathalie Girard", "n.girard@waypost.localhost"),
                  "julien.moreau@waypost.localhost", "RE: Votre code de sécurité",
                  "Tue, 03 Nov 2026 08:47:19 +0100",
                  alt(text, html_, "utf-8", "quoted-printable", "base64"), "outlook.example",
                  [("Thread-Topic", "Votre code de sécurité"), ("X-MS-Has-Attach", "")])
    add(raw, "otp", new, "fr", "quoted", "HR colleague replying with a new health-insurer code (Outlook)",
        "new code on top; older code 902144 below the divRplyFwdMsg header block")

    # C4 es: plain-text reply with > quoted lines
    new, old_code = "902614", "118830"
    old_t = (
        "Hola Carmen:\n\nTu código de verificación de Clínica Sol es: " + old_code + "\n\n"
        "Caduca en 10 minutos.\n\nClínica Sol - Av. de la Constitución 12, 41001 Sevilla\n"
        "Cita: 05/11/2026 a las 17:30, consulta 3\n"
    )
    text = (
        "Perdona, el de abajo ya no sirve. El código nuevo es " + new + ".\n\n"
        "Un saludo,\nCarmen\n\n"
        "El lun, 2 nov 2026 a las 18:20, Clínica Sol (<citas@clinicasol.example>) escribió:\n"
        + quote_text(old_t) + "\n"
    )
    raw = message(addr("Carmen Ruiz", "carmen.ruiz@waypost.localhost"), "user@waypost.localhost",
                  "Re: Tu código de verificación", "Tue, 03 Nov 2026 09:05:00 +0100",
                  leaf("plain", text, "iso-8859-1", "8bit"), "correo.example",
                  [("In-Reply-To", "<7712.1830@clinicasol.example>"),
                   ("References", "<7712.1830@clinicasol.example>")])
    add(raw, "otp", new, "es", "quoted", "patient passing on a clinic portal code",
        "plain text reply; new code on top, old code in > quoted lines; latin-1 8bit")

    # C5 pt: new code on top, old mail attached as message/rfc822
    new, old_code = "447201", "730958"
    ot, oh = vmail("Viagem+", "viagemmais.example", "pt", [
        ("h", "Código de verificação"), ("p", "Use o código abaixo para confirmar sua reserva:"),
        ("code", old_code), ("table", [("Reserva", "VM-88213-BR"), ("Voo", "G3 1452, 08/12/2026")]),
    ], "Viagem+ Turismo Ltda., Rua Augusta 2690, São Paulo - SP")
    old_raw = message(addr("Viagem+", "reservas@viagemmais.example"), "ana.souza@waypost.localhost",
                      "Código de verificação da sua reserva", "Mon, 02 Nov 2026 20:14:00 -0300",
                      alt(ot, oh), "viagemmais.example")
    top = ("Oi Pedro,\n\nO código do e-mail em anexo expirou. O novo código é " + new +
           " (vale por 15 minutos).\n\nBeijos,\nAna\n")
    body = multi("mixed", [leaf("plain", top, "utf-8", "quoted-printable"),
                           rfc822(old_raw, "Código de verificação da sua reserva.eml")])
    raw = message(addr("Ana Souza", "ana.souza@waypost.localhost"), "pedro@waypost.localhost",
                  "Fwd: Código de verificação da sua reserva", "Tue, 03 Nov 2026 07:40:00 -0300",
                  body, "mail.example")
    add(raw, "otp", new, "pt", "quoted", "travel booking code forwarded with the old mail attached",
        "new code in the top text part; older code 730958 inside an attached message/rfc822")

    # C6 it: Outlook plain text "-----Original Message-----"
    new, old_code = "562093", "874410"
    old_t = ("Gentile cliente,\n\nil codice OTP per confermare il bonifico di 1.250,00 EUR "
             "(CRO 0300412288) è: " + old_code + "\n\nIl codice scade tra 3 minuti.\n\n"
             "Banca Tirrena S.p.A. - Piazza Duomo 7, 56126 Pisa\n")
    text = (
        "Ciao Francesca,\n\nil codice sotto è scaduto, quello nuovo è " + new + ".\n"
        "Fammi sapere se va.\n\nLuca\n\n-----Original Message-----\n"
        "Da: Banca Tirrena <avvisi@bancatirrena.example>\n"
        "Inviato: lunedì 2 novembre 2026 17:58\n"
        "A: Luca Bianchi <luca.bianchi@waypost.localhost>\n"
        "Oggetto: Codice OTP per il tuo bonifico\n\n" + old_t
    )
    raw = message(addr("Luca Bianchi", "luca.bianchi@waypost.localhost"),
                  "francesca@waypost.localhost", "I: Codice OTP per il tuo bonifico",
                  "Tue, 03 Nov 2026 08:03:00 +0100",
                  leaf("plain", text, "windows-1252", "quoted-printable"), "outlook.example")
    add(raw, "otp", new, "it", "quoted", "bank OTP forwarded in Outlook plain-text style",
        "new code on top; old code after -----Original Message----- with Italian header block")

    # C7 nl: Gmail forward, top has NO code; label the quoted value
    code = "552901"
    old = vmail("Zorgpunt", "zorgpunt.example", "nl", [
        ("h", "Je verificatiecode"), ("p", "Gebruik deze code om in te loggen op Mijn Zorgpunt:"),
        ("code", code), ("p", "De code is 10 minuten geldig."),
    ], "Zorgpunt, Postbus 1240, 3500 BE Utrecht")
    top = ["Hoi Daan,", "", "Kun jij dit even invullen? Ik zit de hele ochtend in een vergadering.",
           "", "Groetjes,", "Eva"]
    text, html_ = gmail_fwd(top, "Doorgestuurd bericht", [
        ("Van", "Zorgpunt <noreply@zorgpunt.example>"), ("Date", "di 3 nov 2026 om 09:02"),
        ("Subject", "Je verificatiecode"), ("To", "<eva.dekker@waypost.localhost>")], old)
    raw = message(addr("Eva Dekker", "eva.dekker@waypost.localhost"), "daan@waypost.localhost",
                  "Fwd: Je verificatiecode", "Tue, 03 Nov 2026 09:04:11 +0100",
                  alt(text, html_, "utf-8", "quoted-printable", "quoted-printable"),
                  "mail.gmail.example")
    add(raw, "otp", code, "nl", "quoted", "health portal code forwarded without comment",
        "top has no code, only the forwarded message does: label is the quoted value")

    # C8 ja: Gmail reply, new code on top, old quoted
    new, old_code = "318406", "660271"
    old = vmail("ミライ証券", "mirai-sec.example", "ja", [
        ("p", "ワンタイムパスワードをお知らせします。"), ("code", old_code),
        ("p", "有効期限：5分"), ("small", "口座番号：123-4567890"),
    ], "ミライ証券株式会社 東京都中央区日本橋1-4-1")
    top = ["佐藤さん", "", f"下のコードは期限切れでした。新しいコードは {new} です。", "",
           "よろしくお願いします。", "鈴木"]
    text, html_ = gmail_reply(
        top, "2026年11月2日(月) 15:30 ミライ証券 <otp@mirai-sec.example>:", old)
    raw = message(addr("鈴木 一郎", "suzuki@waypost.localhost", "iso-2022-jp"),
                  "sato@waypost.localhost", "Re: ワンタイムパスワードのお知らせ",
                  "Tue, 03 Nov 2026 09:10:00 +0900",
                  alt(text, html_, "utf-8", "base64", "base64"), "mail.gmail.example",
                  charset="iso-2022-jp")
    add(raw, "otp", new, "ja", "quoted", "brokerage one-time password, reply (Gmail style)",
        "new code on top; older code 660271 in the gmail_quote blockquote")

    # C9 zh: Outlook forward (html + text), new code on top; GB18030
    new, old_code = "275013", "849962"
    old = vmail("快付", "kuaifu.example", "zh", [
        ("h", "邮箱验证码"), ("p", "您正在绑定企业邮箱，验证码为："), ("code", old_code),
        ("p", "5 分钟内有效，请勿泄露。"),
    ], "快付科技（深圳）有限公司")
    top = ["王经理：", "", f"下面这封里的验证码已经过期了，新的验证码是 {new}，麻烦尽快填写。", "",
           "谢谢！", "李娜"]
    text, html_ = outlook(top, [
        ("发件人", "快付 <service@kuaifu.example>"), ("发送时间", "2026年11月2日 17:20"),
        ("收件人", "李娜 <lina@waypost.localhost>"), ("主题", "邮箱验证码")], old)
    raw = message(addr("李娜", "lina@waypost.localhost", "gb18030"), "wang@waypost.localhost",
                  "转发: 邮箱验证码", "Tue, 03 Nov 2026 09:20:00 +0800",
                  alt(text, html_.replace("charset=utf-8", "charset=gb18030"), "gb18030",
                      "base64", "base64"),
                  "outlook.example", charset="gb18030")
    add(raw, "otp", new, "zh", "quoted", "payment platform code forwarded (Outlook style)",
        "new code on top; older code 849962 below divRplyFwdMsg; GB18030")

    # C10 ko: plain text > quoted, new code on top; EUC-KR
    new, old_code = "830517", "194466"
    old_t = ("[다온페이] 인증번호 [" + old_code + "]를 입력해 주세요.\n"
             "인증번호는 3분간 유효합니다.\n고객센터 1588-0000\n")
    text = ("민수 씨,\n\n아래 번호는 시간이 지나서 안 된대요. 새 인증번호는 " + new + " 입니다.\n\n"
            "지현 드림\n\n"
            "2026년 11월 2일 (월) 오후 4:12, 다온페이 <noreply@daonpay.example>님이 작성:\n"
            + quote_text(old_t) + "\n")
    raw = message(addr("박지현", "jihyun.park@waypost.localhost", "euc-kr"),
                  "minsu@waypost.localhost", "Re: [다온페이] 인증번호 안내",
                  "Tue, 03 Nov 2026 09:30:00 +0900",
                  leaf("plain", text, "euc-kr", "base64"), "mail.example", charset="euc-kr")
    add(raw, "otp", new, "ko", "quoted", "payments app code, plain-text reply",
        "new code on top; old code in > quoted lines; EUC-KR base64")

    # C11 ru: Gmail forward, top has NO link; label the quoted link
    link = f"https://id.gorodok.example/confirm-email?key={tok(40)}"
    old = vmail("Городок", "gorodok.example", "ru", [
        ("h", "Подтвердите адрес электронной почты"),
        ("p", "Чтобы завершить регистрацию, нажмите на кнопку:"),
        ("button", "Подтвердить почту", link),
        ("p", "Ссылка действительна 24 часа."),
    ], "ООО «Городок», Екатеринбург, ул. Малышева, 51")
    top = ["Саша, привет!", "", "Пересылаю письмо — подтверди, пожалуйста, сама.", "", "Оля"]
    text, html_ = gmail_fwd(top, "Пересылаемое сообщение", [
        ("От", "Городок <noreply@gorodok.example>"), ("Date", "вт, 3 нояб. 2026 г. в 10:15"),
        ("Subject", "Подтвердите адрес электронной почты"), ("To", "<olga@waypost.localhost>")], old)
    raw = message(addr("Ольга", "olga@waypost.localhost"), "sasha@waypost.localhost",
                  "Fwd: Подтвердите адрес электронной почты", "Tue, 03 Nov 2026 10:20:00 +0300",
                  alt(text, html_), "mail.gmail.example")
    add(raw, "magic_link", link, "ru", "quoted", "city portal confirmation forwarded",
        "top has no link, only the forwarded message does: label is the quoted link")

    # C12 pl: Outlook html reply, new reset link on top, old one quoted
    newl = f"https://konto.kwiatownia.example/reset-hasla?token={tok(36)}"
    oldl = f"https://konto.kwiatownia.example/reset-hasla?token={tok(36)}"
    old = vmail("Kwiatownia", "kwiatownia.example", "pl", [
        ("h", "Resetowanie hasła"), ("p", "Kliknij przycisk, aby ustawić nowe hasło:"),
        ("button", "Ustaw nowe hasło", oldl), ("p", "Link wygaśnie po 60 minutach."),
    ], "Kwiatownia Sp. z o.o., ul. Floriańska 3, 31-019 Kraków")
    top = ["Cześć Kasiu,", "", "ten link poniżej już wygasł, wygenerowałam nowy:", newl, "",
           "Pozdrawiam,", "Magda"]
    th = ["Cześć Kasiu,", "", "ten link poniżej już wygasł, wygenerowałam nowy:",
          f'<a href="{esc(newl)}" data-auth="NotApplicable">{esc(newl)}</a>', "", "Pozdrawiam,",
          "Magda"]
    text, html_ = outlook(top, [
        ("Od", "Kwiatownia <konto@kwiatownia.example>"), ("Wysłane", "poniedziałek, 2 listopada 2026 14:03"),
        ("Do", "Magdalena Nowak"), ("Temat", "Resetowanie hasła")], old, top_html=th)
    raw = message(addr("Magdalena Nowak", "magda.nowak@waypost.localhost"),
                  "kasia@waypost.localhost", "RE: Resetowanie hasła", "Tue, 03 Nov 2026 11:00:00 +0100",
                  alt(text, html_, "utf-8", "quoted-printable", "quoted-printable"), "outlook.example")
    add(raw, "magic_link", newl, "pl", "quoted", "shop password reset re-sent by a colleague (Outlook)",
        "new reset link on top; expired link below divRplyFwdMsg")

    # C13 tr: new link on top, old mail attached as message/rfc822
    newl = f"https://hesap.sepetim.example/dogrula?kod={tok(30)}"
    oldl = f"https://hesap.sepetim.example/dogrula?kod={tok(30)}"
    ot, oh = vmail("Sepetim", "sepetim.example", "tr", [
        ("h", "E-posta adresini doğrula"), ("button", "Doğrula", oldl),
        ("p", "Bağlantı 24 saat geçerlidir."),
    ], "Sepetim A.Ş., Ankara")
    old_raw = message(addr("Sepetim", "hesap@sepetim.example"), "mert@waypost.localhost",
                      "E-posta adresini doğrula", "Sun, 01 Nov 2026 10:00:00 +0300",
                      alt(ot, oh), "sepetim.example")
    top_t = ("Selam Zeynep,\n\nEkteki e-postadaki bağlantının süresi dolmuş. Yeni bağlantı:\n"
             + newl + "\n\nMert\n")
    top_h = ('<div dir="ltr">Selam Zeynep,<br><br>Ekteki e-postadaki bağlantının süresi dolmuş. '
             f'Yeni bağlantı:<br><a href="{esc(newl)}">{esc(newl)}</a><br><br>Mert</div>')
    body = multi("mixed", [alt(top_t, top_h), rfc822(old_raw, "dogrulama.eml")])
    raw = message(addr("Mert Yılmaz", "mert@waypost.localhost"), "zeynep@waypost.localhost",
                  "Fwd: E-posta adresini doğrula", "Tue, 03 Nov 2026 12:00:00 +0300", body,
                  "mail.example")
    add(raw, "magic_link", newl, "tr", "quoted", "shop verification link re-sent with the old mail attached",
        "new link on top; expired link in an attached message/rfc822")

    # C14 sv: plain > reply, top has NO code; label the quoted value
    code = "603184"
    old_t = ("Hej!\n\nDin engångskod för Apoteket Linnéa är: " + code + "\n\n"
             "Koden gäller i 10 minuter.\n\nApoteket Linnéa, Kungsgatan 12, 411 19 Göteborg\n")
    text = ("Hej,\n\nVad ska jag göra med den här? Jag beställde inget i morse.\n\nMvh\nBirgitta\n\n"
            "Den tis 3 nov. 2026 kl 08:51 skrev Apoteket Linnéa <noreply@apoteket-linnea.example>:\n"
            + quote_text(old_t) + "\n")
    raw = message(addr("Birgitta Lund", "birgitta.lund@waypost.localhost"),
                  "kundtjanst@waypost.localhost", "Sv: Din engångskod",
                  "Tue, 03 Nov 2026 09:14:00 +0100",
                  leaf("plain", text, "iso-8859-1", "quoted-printable"), "mail.example")
    add(raw, "otp", code, "sv", "quoted", "pharmacy one-time code quoted in a customer's reply",
        "top has no code, only the > quoted part does: label is the quoted value")

    # C15 ar: Gmail reply, new code on top
    new, old_code = "918273", "406652"
    old = vmail("محفظتي", "mahfazati.example", "ar", [
        ("p", "رمز التحقق الخاص بك هو:"), ("code", old_code),
        ("p", "صالح لمدة 5 دقائق. لا تشاركه مع أحد."),
    ], "محفظتي، عمّان، الأردن")
    top = ["مرحبًا يوسف،", "", f"الرمز في الأسفل انتهت صلاحيته. الرمز الجديد هو {new}", "",
           "مع التحية،", "ليلى"]
    text, html_ = gmail_reply(
        top, "في الاثنين، 2 نوفمبر 2026 في 6:40 م، محفظتي <otp@mahfazati.example> كتب:", old)
    html_ = html_.replace('<div dir="ltr">', '<div dir="rtl">', 1)
    raw = message(addr("ليلى حداد", "layla@waypost.localhost"), "yousef@waypost.localhost",
                  "Re: رمز التحقق", "Tue, 03 Nov 2026 09:00:00 +0300",
                  alt(text, html_, "utf-8", "base64", "base64"), "mail.gmail.example")
    add(raw, "otp", new, "ar", "quoted", "wallet app code, reply (Gmail style)",
        "new code on top; older code 406652 in the gmail_quote blockquote")

    # C16 en: Outlook plain "-----Original Message-----", alnum grouped codes
    new, old_code = "R8QK-2MZT", "HX4P-9WLN"
    old_t = ("Your Stackyard recovery code is: " + old_code + "\n\nEnter it on the sign-in page "
             "within 15 minutes.\nStackyard v4.2.1 - Support ticket SY-48213\n")
    text = ("Hi Tom,\n\nThat one timed out - here's the fresh code: " + new + "\n\nCheers,\nRaj\n\n"
            "-----Original Message-----\nFrom: Stackyard <no-reply@stackyard.example>\n"
            "Sent: Monday, November 2, 2026 4:55 PM\nTo: Raj Patel <raj@waypost.localhost>\n"
            "Subject: Your Stackyard recovery code\n\n" + old_t)
    raw = message(addr("Raj Patel", "raj@waypost.localhost"), "tom@waypost.localhost",
                  "FW: Your Stackyard recovery code", "Tue, 03 Nov 2026 08:15:00 +0000",
                  leaf("plain", text, "us-ascii", "7bit"), "outlook.example")
    add(raw, "otp", new, "en", "quoted", "recovery code forwarded in Outlook plain-text style",
        "new dashed code on top; older dashed code HX4P-9WLN after -----Original Message-----",
        accept=["R8QK2MZT"])

    # C17 en none: forwarded shipping confirmation
    old = vmail("Parcelry", "parcelry.example", "en", [
        ("h", "Your order is on its way"),
        ("table", [("Order", "#PR-2026-771903"), ("Tracking", "1Z 999 AA1 01 2345 6784"),
                   ("Estimated delivery", "Thu, Nov 5"), ("Total", "$84.17")]),
        ("button", "Track package", "https://parcelry.example/track/1Z999AA10123456784"),
    ], "Parcelry, 410 Terry Ave N, Seattle, WA 98109")
    top = ["Hey,", "", "Can you keep an eye out for this on Thursday? I'll be away.", "", "Tx, Ben"]
    text, html_ = gmail_fwd(top, "Forwarded message", [
        ("From", "Parcelry <ship-confirm@parcelry.example>"), ("Date", "Mon, Nov 2, 2026 at 6:02 PM"),
        ("Subject", "Your order #PR-2026-771903 has shipped"), ("To", "<ben@waypost.localhost>")], old)
    raw = message(addr("Ben Wright", "ben@waypost.localhost"), "user@waypost.localhost",
                  "Fwd: Your order #PR-2026-771903 has shipped", "Tue, 03 Nov 2026 07:00:00 +0000",
                  alt(text, html_), "mail.gmail.example")
    add(raw, "none", None, "en", "quoted", "forwarded shipping confirmation",
        "hard negative: forward with order number, tracking number, dates and price, no code")

    # C18 de none: support ticket reply thread, no code anywhere
    text = (
        "Hallo Frau Schulz,\n\nvielen Dank für Ihre Rückmeldung. Wir haben Ihr Konto "
        "(Kundennummer 4471-0923) geprüft: die Anmeldung klappt jetzt wieder. Bitte fordern Sie "
        "in der App einfach einen neuen Bestätigungscode an.\n\n"
        "Ihr Ticket #48213 schließen wir in 7 Tagen automatisch.\n\n"
        "Freundliche Grüße\nKevin Brandt\nKundenservice Stromfix\nTel. 0800 123 4567 (Mo-Fr 8-18 Uhr)\n\n"
        "Am 02.11.2026 um 21:47 schrieb Sabine Schulz <sabine.schulz@waypost.localhost>:\n"
        + quote_text("Guten Abend,\n\nich bekomme seit gestern keinen Code mehr per E-Mail, "
                     "die Anmeldung in der App (Version 5.0.2) schlägt immer fehl.\n"
                     "Zählernummer 1ESY1160523481.\n\nMfG\nSabine Schulz") + "\n"
    )
    raw = message(addr("Stromfix Kundenservice", "service@stromfix.example"),
                  "sabine.schulz@waypost.localhost", "AW: [Ticket #48213] Kein Code erhalten",
                  "Tue, 03 Nov 2026 10:30:00 +0100",
                  leaf("plain", text, "iso-8859-1", "quoted-printable"), "stromfix.example")
    add(raw, "none", None, "de", "quoted", "energy supplier support reply",
        "hard negative: ticket, customer and meter numbers and an app version in a reply thread, no code")
