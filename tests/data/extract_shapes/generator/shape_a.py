"""Shape 1: alphanumeric codes the mail calls a code, next to versions/hashes/builds/orders."""

from __future__ import annotations

from lib import addr, alt, esc, hexs, leaf, message, multi, page, tok

SRC = "synthetic (waypost issue 13 shapes): invented brand, generalising "


def build(add):
    # A1 en: 20-char mixed-case code, app version + build number in the footer
    code = "Jp7cWq2LxR9mTbV4kZsN"
    text, html_ = page("Lumenfold", "lumenfold.example", "en", [
        ("h", "Confirm it's you"),
        ("p", "Use this verification code to finish signing in to Lumenfold on a new device. "
              "Copy and paste it into the app; it is case-sensitive."),
        ("code", code),
        ("p", "The code expires in 15 minutes. If you didn't try to sign in, you can ignore "
              "this email and your account stays safe."),
        ("table", [("Device", "Pixel 8 · Android 15"), ("App", "Lumenfold v2.14.3 (build 48213)"),
                   ("Location", "Lyon, France (approximate)"), ("Time", "3 Nov 2026, 09:41 CET")]),
    ], address="Lumenfold Inc., 548 Market St #41920, San Francisco, CA 94104")
    raw = message(addr("Lumenfold", "no-reply@lumenfold.example"), "user@waypost.localhost",
                  "Your Lumenfold verification code", "Tue, 03 Nov 2026 08:41:07 +0000",
                  alt(text, html_), "lumenfold.example",
                  [("List-Unsubscribe", "<https://email.lumenfold.example/u/ZK2d>")])
    add(raw, "otp", code, "en", "alphanumeric", "note-taking app sign-in",
        "20-char mixed-case code; app version v2.14.3 and build 48213 nearby")

    # A2 de: device flow code, grouped with a dash; CLI version nearby; html only, base64
    code = "EKHOE-DIOBD"
    _, html_ = page("Codewerk", "codewerk.example", "de", [
        ("h", "Gerät autorisieren"),
        ("p", "Jemand möchte die Codewerk CLI (Version 3.8.1, linux-amd64) mit Ihrem Konto "
              "verbinden. Geben Sie den folgenden Code auf der Seite „Gerät aktivieren“ ein:"),
        ("code", code),
        ("p", "Der Code ist 10 Minuten gültig. Wenn Sie das nicht waren, ignorieren Sie "
              "diese E-Mail einfach."),
        ("small", "Anfrage-ID: 7f3c9e21-4b8a-4d0e-9c55-1a2b3c4d5e6f · 03.11.2026, 10:12 MEZ"),
    ], address="Codewerk GmbH · Rosenthaler Str. 40 · 10178 Berlin · HRB 214775 B")
    raw = message(addr("Codewerk", "noreply@codewerk.example"), "user@waypost.localhost",
                  "[Codewerk] Bitte bestätigen Sie Ihr Gerät", "Tue, 03 Nov 2026 10:12:44 +0100",
                  leaf("html", html_, "utf-8", "base64"), "codewerk.example")
    add(raw, "otp", code, "de", "alphanumeric", "developer platform device authorization",
        "grouped letters code with a dash; CLI version 3.8.1 and request UUID nearby; html only base64",
        accept=["EKHOEDIOBD"])

    # A3 fr: grouped 4-4 code, order number; text only, 8bit latin-1
    code = "7KX2-9QP4"
    text = (
        "Bonjour Camille,\n\n"
        "Pour consulter le suivi de votre commande n° 2026-11-04817 sans vous connecter,\n"
        "saisissez ce code de vérification sur la page de suivi :\n\n"
        f"        {code}\n\n"
        "Ce code est valable 30 minutes.\n\n"
        "Récapitulatif\n"
        "  Commande : 2026-11-04817 du 02/11/2026\n"
        "  Articles : 3 - Total : 84,90 EUR TTC\n"
        "  Livraison prévue : jeudi 05/11/2026 (Colissimo 6A21948301775)\n\n"
        "Merci pour votre confiance,\n"
        "L'équipe Maison Ardoise\n\n"
        "--\n"
        "Maison Ardoise SAS, 12 rue des Tanneurs, 69002 Lyon - RCS Lyon 842 117 305\n"
        "Se désabonner : https://news.maison-ardoise.example/desinscription?e=c2FtaWxsZQ&l=4\n"
    )
    raw = message(addr("Maison Ardoise", "commandes@maison-ardoise.example", "iso-8859-1"),
                  "camille.roux@waypost.localhost", "Votre code de vérification",
                  "Mon, 02 Nov 2026 18:03:51 +0100",
                  leaf("plain", text, "iso-8859-1", "8bit"), "maison-ardoise.example",
                  charset="iso-8859-1")
    add(raw, "otp", code, "fr", "alphanumeric", "online shop guest order tracking",
        "grouped 4-4 code; order number 2026-11-04817 and tracking number nearby; text only 8bit latin-1",
        accept=["7KX29QP4"])

    # A4 es: 12-char code with a commit hash and deployment id
    code = "hT4rZ9wQ2mKx"
    commit = "3f9a2c7e1b"
    text, html_ = page("Nubeo", "nubeo.example", "es", [
        ("h", "Confirma el despliegue a producción"),
        ("p", "Se ha solicitado desplegar el commit "
              f"{commit} (rama main) en el entorno «producción» del proyecto tienda-web."),
        ("table", [("Commit", f"{commit} — «fix: redondeo de IVA en carrito»"),
                   ("Autor", "lucia.m"), ("Despliegue", "dpl_8H2kQ9xw"),
                   ("Fecha", "03/11/2026 11:20 CET")]),
        ("p", "Para aprobarlo, introduce este código de confirmación en la consola:"),
        ("code", code),
        ("p", "El código caduca en 10 minutos. Si no reconoces esta solicitud, cancélala y "
              "revisa los accesos de tu equipo."),
    ], address="Nubeo Cloud S.L., Calle de Alcalá 93, 28009 Madrid")
    raw = message(addr("Nubeo", "alertas@nubeo.example"), "user@waypost.localhost",
                  "Código de confirmación para desplegar tienda-web", "Tue, 03 Nov 2026 11:20:02 +0100",
                  alt(text, html_), "nubeo.example")
    add(raw, "otp", code, "es", "alphanumeric", "cloud hosting deploy approval",
        "12-char mixed-case code; 10-hex commit hash and deployment id nearby")

    # A5 ja: 10-char code, order number; text only, ISO-2022-JP
    code = "Q7XK2M9PZA"
    text = (
        "山田 花子 様\n\n"
        "いつもサクラ書房オンラインをご利用いただきありがとうございます。\n"
        "ご注文内容の確認・変更を行うため、以下の確認コードを入力してください。\n\n"
        f"確認コード：{code}\n\n"
        "※確認コードの有効期限は発行から30分です。\n"
        "※大文字・小文字を区別します。\n\n"
        "■ご注文情報\n"
        "ご注文番号：1120-4839-2210\n"
        "ご注文日：2026年11月2日\n"
        "お支払い金額：3,850円（税込）\n\n"
        "このメールにお心当たりのない場合は、お手数ですが破棄してください。\n\n"
        "━━━━━━━━━━━━━━━━━━━━━━\n"
        "サクラ書房オンライン\n"
        "〒150-0002 東京都渋谷区渋谷2-21-1\n"
        "https://sakura-shobo.example/\n"
        "配信停止：https://sakura-shobo.example/mail/stop?id=8812734\n"
        "━━━━━━━━━━━━━━━━━━━━━━\n"
    )
    raw = message(addr("サクラ書房オンライン", "info@sakura-shobo.example", "iso-2022-jp"),
                  "user@waypost.localhost", "【サクラ書房】確認コードのお知らせ",
                  "Tue, 03 Nov 2026 09:15:30 +0900",
                  leaf("plain", text, "iso-2022-jp", "7bit"), "sakura-shobo.example",
                  charset="iso-2022-jp")
    add(raw, "otp", code, "ja", "alphanumeric", "online bookshop order change",
        "10-char uppercase alnum code; order number 1120-4839-2210; text only ISO-2022-JP")

    # A6 zh: code beside a version and build number; html only, base64 GBK
    code = "Kp8Vq2Lx7Z"
    _, html_ = page("云栈", "yunzhan.example", "zh", [
        ("h", "登录验证"),
        ("p", "您正在使用 云栈桌面客户端 v5.2.0（构建号 20261103.7）登录账户。"),
        ("p", "您的验证码为："),
        ("code", code),
        ("p", "验证码区分大小写，10 分钟内有效。请勿将验证码告诉他人。"),
        ("small", "登录时间：2026-11-03 14:08:22（北京时间） IP：203.0.113.58"),
    ], address="云栈科技有限公司 · 杭州市西湖区文三路 478 号")
    raw = message(addr("云栈", "noreply@yunzhan.example", "gb18030"), "user@waypost.localhost",
                  "云栈 登录验证码", "Tue, 03 Nov 2026 14:08:25 +0800",
                  leaf("html", html_.replace('charset="utf-8"', 'charset="gb18030"'), "gb18030", "base64"),
                  "yunzhan.example", charset="gb18030")
    add(raw, "otp", code, "zh", "alphanumeric", "cloud storage desktop client sign-in",
        "10-char mixed-case code; client v5.2.0 and build 20261103.7 nearby; html only base64 GB18030")

    # A7 ko: 3-group code; multipart alt in EUC-KR
    code = "W4QX-7MZK-P2RT"
    text, html_ = page("하늘마켓", "haneul-market.example", "ko", [
        ("h", "이메일 인증"),
        ("p", "하늘마켓 판매자 센터 로그인을 위해 아래 인증 코드를 입력해 주세요."),
        ("code", code),
        ("p", "인증 코드는 발송 후 15분 동안만 유효합니다."),
        ("table", [("주문번호", "20261103-0048213"), ("상점", "하늘상회 (판매자 ID 77120)"),
                   ("요청 시각", "2026-11-03 10:05 KST")]),
        ("p", "본인이 요청하지 않았다면 이 메일을 무시하세요."),
    ], address="(주)하늘마켓 · 서울특별시 강남구 테헤란로 152 · 사업자등록번호 220-81-62517")
    raw = message(addr("하늘마켓", "no-reply@haneul-market.example", "euc-kr"),
                  "user@waypost.localhost", "[하늘마켓] 인증 코드 안내",
                  "Tue, 03 Nov 2026 10:05:41 +0900",
                  alt(text.replace("©", "(c)"), html_.replace('charset="utf-8"', 'charset="euc-kr"').replace("©", "&copy;"), "euc-kr",
                      "base64", "base64"),
                  "haneul-market.example", charset="euc-kr")
    add(raw, "otp", code, "ko", "alphanumeric", "marketplace seller centre sign-in",
        "three-group dashed code; order number 20261103-0048213 nearby; EUC-KR base64",
        accept=["W4QX7MZKP2RT"])

    # A8 ru: 14-char code, order number; KOI8-R quoted-printable, multipart
    code = "aZ3kP9xQw2Lm7R"
    text, html_ = page("Полка", "polka-shop.example", "ru", [
        ("h", "Подтвердите вход"),
        ("p", "Здравствуйте, Анна! Чтобы войти в личный кабинет и посмотреть заказ № 48-2291-0735, "
              "введите код подтверждения:"),
        ("code", code),
        ("p", "Код действует 20 минут. Никому не сообщайте его — сотрудники «Полки» никогда "
              "не спрашивают код."),
        ("table", [("Заказ", "№ 48-2291-0735 от 01.11.2026"), ("Сумма", "4 590 ₽"),
                   ("Доставка", "пункт выдачи, ул. Ленина, 24")]),
    ], address="ООО «Полка», 191186, Санкт-Петербург, Невский пр., 28, ИНН 7841465920")
    raw = message(addr("Полка", "noreply@polka-shop.example", "windows-1251"), "user@waypost.localhost",
                  "Код подтверждения для входа", "Tue, 03 Nov 2026 12:31:09 +0300",
                  alt(text.replace("₽", "руб."), html_.replace("₽", "&#8381;").replace(
                      'charset="utf-8"', 'charset="windows-1251"'), "windows-1251"),
                  "polka-shop.example", charset="windows-1251")
    add(raw, "otp", code, "ru", "alphanumeric", "online shop account sign-in",
        "14-char mixed-case code; order number 48-2291-0735; windows-1251 quoted-printable")

    # A9 pl: 3x3 grouped code; ISO-8859-2 multipart
    code = "9XH-4KQ-7TB"
    text, html_ = page("Paczkomaty Zefir", "zefir.example", "pl", [
        ("h", "Potwierdź zmianę adresu e-mail"),
        ("p", "Otrzymaliśmy prośbę o zmianę adresu e-mail w Twoim koncie Zefir. Wpisz poniższy "
              "kod weryfikacyjny w aplikacji (wersja 7.3.0 lub nowsza):"),
        ("code", code),
        ("p", "Kod jest ważny przez 15 minut."),
        ("small", "Numer zgłoszenia: ZF/2026/11/004821 · 03.11.2026 13:47"),
    ], address="Zefir Sp. z o.o., ul. Piękna 18, 00-549 Warszawa, NIP 5252718304")
    raw = message(addr("Zefir", "powiadomienia@zefir.example", "windows-1250"),
                  "user@waypost.localhost", "Kod weryfikacyjny Zefir",
                  "Tue, 03 Nov 2026 13:47:12 +0100",
                  alt(text, html_.replace('charset="utf-8"', 'charset="windows-1250"'),
                      "windows-1250"),
                  "zefir.example", charset="windows-1250")
    add(raw, "otp", code, "pl", "alphanumeric", "parcel locker app e-mail change",
        "three-group 3-3-3 code; app version 7.3.0 and ticket number nearby; ISO-8859-2",
        accept=["9XH4KQ7TB"])

    # A10 tr: 16-char mixed-case code, version; text only ISO-8859-9 quoted-printable
    code = "Xk29PqLm7Tz4Rb8N"
    text = (
        "Merhaba Emre,\n\n"
        "Kasaburada Masaüstü 4.1.0 uygulamasını yeni bir bilgisayarda etkinleştirmek için\n"
        "aşağıdaki doğrulama kodunu girin:\n\n"
        f"Doğrulama kodu: {code}\n\n"
        "Kod büyük/küçük harfe duyarlıdır ve 15 dakika geçerlidir.\n"
        "Lisans numaranız: KB-2026-00481 · Cihaz: DESKTOP-7H2KQ\n\n"
        "Bu işlemi siz yapmadıysanız lütfen şifrenizi değiştirin.\n\n"
        "Kasaburada Yazılım A.Ş.\n"
        "Büyükdere Cad. No:185, 34394 Şişli/İstanbul\n"
        "Abonelikten çık: https://kasaburada.example/abonelik/iptal?u=Zk2d9&t=2\n"
    )
    raw = message(addr("Kasaburada", "destek@kasaburada.example", "iso-8859-9"),
                  "user@waypost.localhost", "Doğrulama kodunuz", "Tue, 03 Nov 2026 15:02:40 +0300",
                  leaf("plain", text, "iso-8859-9", "quoted-printable"), "kasaburada.example",
                  charset="iso-8859-9")
    add(raw, "otp", code, "tr", "alphanumeric", "point-of-sale desktop app activation",
        "16-char mixed-case code; app version 4.1.0, licence number KB-2026-00481; text only latin-5 QP")

    # A11 nl: letters grouped code, build number and version
    code = "HJQW-MPTX"
    text, html_ = page("Bouwstraat CI", "bouwstraat.example", "nl", [
        ("h", "Inloggen op de CLI"),
        ("p", "Je probeert in te loggen met bouwstraat-cli 1.22.4 vanaf een nieuwe machine."),
        ("p", "Voer deze code in de terminal in:"),
        ("code", code),
        ("p", "Je laatste pipeline: build #18422 op main (commit c41d9e0) — geslaagd in 4m 12s."),
        ("p", "Heb jij dit niet aangevraagd? Dan hoef je niets te doen."),
    ], address="Bouwstraat B.V., Keizersgracht 241, 1016 EA Amsterdam")
    raw = message(addr("Bouwstraat", "noreply@bouwstraat.example"), "user@waypost.localhost",
                  "Je inlogcode voor bouwstraat-cli", "Tue, 03 Nov 2026 16:44:18 +0100",
                  alt(text, html_, "utf-8", "8bit", "quoted-printable"), "bouwstraat.example")
    add(raw, "otp", code, "nl", "alphanumeric", "CI service CLI login",
        "grouped letters code; build #18422, commit c41d9e0 and CLI 1.22.4 nearby",
        accept=["HJQWMPTX"])

    # A12 it: 10-char code with order number; html only quoted-printable windows-1252
    code = "r8Tq2ZxK5p"
    _, html_ = page("Bottega Aurea", "bottega-aurea.example", "it", [
        ("h", "Il tuo codice di accesso"),
        ("p", "Ciao Giulia, per accedere al tuo ordine IT-2026-558201 come ospite inserisci "
              "questo codice di accesso:"),
        ("code", code),
        ("p", "Il codice scade tra 30 minuti e può essere usato una sola volta."),
        ("table", [("Ordine", "IT-2026-558201"), ("Data", "02/11/2026"),
                   ("Totale", "129,00 €"), ("Spedizione", "BRT 0571 2284 9911")]),
    ], address="Bottega Aurea S.r.l., Via Tornabuoni 14, 50123 Firenze, P.IVA 06712480482")
    raw = message(addr("Bottega Aurea", "ordini@bottega-aurea.example"), "user@waypost.localhost",
                  "Codice di accesso al tuo ordine", "Mon, 02 Nov 2026 21:10:55 +0100",
                  leaf("html", html_.replace('charset="utf-8"', 'charset="windows-1252"'),
                       "windows-1252", "quoted-printable"),
                  "bottega-aurea.example")
    add(raw, "otp", code, "it", "alphanumeric", "fashion shop guest order access",
        "10-char mixed-case code; order IT-2026-558201 and tracking number; html only cp1252 QP")

    # A13 en: sudo-mode code on a git host, commit/branch noise
    code = "5Q8W-N3KZ"
    text, html_ = page("Forgewell", "forgewell.example", "en", [
        ("p", "Hey @mkowalski,"),
        ("p", "You're trying to delete the protected branch release/2.9 in forgewell/atlas. "
              "To confirm this sensitive action, enter the code below."),
        ("code", code),
        ("table", [("Repository", "forgewell/atlas"), ("Branch", "release/2.9 @ 7c9e4a1"),
                   ("Last tag", "v2.9.14"), ("Requested", "Nov 3, 2026 17:02 UTC")]),
        ("p", "This code will expire in 10 minutes."),
        ("small", "Not you? Review your security log: https://forgewell.example/settings/security-log"),
    ], address="Forgewell, 88 Colin P Kelly Jr St, San Francisco, CA 94107")
    raw = message(addr("Forgewell", "noreply@forgewell.example"), "user@waypost.localhost",
                  "[Forgewell] Sudo verification code", "Tue, 03 Nov 2026 17:02:31 +0000",
                  alt(text, html_), "forgewell.example")
    add(raw, "otp", code, "en", "alphanumeric", "git hosting sudo-mode confirmation",
        "dashed alnum code; commit 7c9e4a1 and tag v2.9.14 nearby", accept=["5Q8WN3KZ"])

    # --- hard negatives ---
    # A14 en none: release notes with version, commit, build
    text, html_ = page("Lumenfold", "lumenfold.example", "en", [
        ("h", "Lumenfold v2.14.3 is here"),
        ("p", "This release fixes sync conflicts on shared notebooks and speeds up search by 40%."),
        ("table", [("Version", "v2.14.3"), ("Build", "20261103.4"), ("Commit", "9f8e7d6c2a"),
                   ("Released", "November 3, 2026")]),
        ("p", "Update from the app menu, or run: lumenfold update --channel stable"),
        ("button", "Read the changelog", "https://lumenfold.example/changelog/v2.14.3"),
        ("small", "Promo for early adopters: the Pro plan is 20% off with code EARLY20 until Nov 30."),
    ], address="Lumenfold Inc., 548 Market St #41920, San Francisco, CA 94104")
    raw = message(addr("Lumenfold Updates", "updates@lumenfold.example"), "user@waypost.localhost",
                  "What's new in Lumenfold v2.14.3", "Tue, 03 Nov 2026 15:00:00 +0000",
                  alt(text, html_), "lumenfold.example")
    add(raw, "none", None, "en", "alphanumeric", "app release notes",
        "hard negative: version, build number, commit hash and a promo code, no verification")

    # A15 de none: order confirmation, order / tracking / customer numbers
    text = (
        "Hallo Jonas,\n\n"
        "vielen Dank für Ihre Bestellung bei Fahrradkontor!\n\n"
        "Bestellnummer:   302-8841920-1183\n"
        "Kundennummer:    K-4471092\n"
        "Bestelldatum:    02.11.2026\n"
        "Artikel:         Kettenöl 100 ml (Art.-Nr. 77-120-4), Schlauch 28\" (Art.-Nr. 31-018-2)\n"
        "Gesamtbetrag:    23,80 EUR inkl. MwSt.\n\n"
        "Ihre Sendung wird mit DHL verschickt. Sendungsnummer: 00340434161094015902\n"
        "Sendungsverfolgung: https://fahrradkontor.example/konto/bestellungen/302-8841920-1183\n\n"
        "Viele Grüße\nIhr Fahrradkontor-Team\n\n"
        "--\nFahrradkontor GmbH · Hafenstraße 9 · 20457 Hamburg · USt-IdNr. DE314159265\n"
        "Abmelden: https://fahrradkontor.example/newsletter/abmelden?c=K-4471092\n"
    )
    raw = message(addr("Fahrradkontor", "bestellung@fahrradkontor.example"),
                  "jonas.becker@waypost.localhost", "Ihre Bestellung 302-8841920-1183",
                  "Mon, 02 Nov 2026 19:22:10 +0100", leaf("plain", text, "iso-8859-1", "quoted-printable"),
                  "fahrradkontor.example")
    add(raw, "none", None, "de", "alphanumeric", "bike shop order confirmation",
        "hard negative: order, customer, article and tracking numbers")

    # A16 sv none: CI build failure, build number, commit hash, version
    text, html_ = page("Bygglåda", "bygglada.example", "sv", [
        ("h", "Bygge #4821 misslyckades"),
        ("p", "Pipelinen för main i projektet kassa-api misslyckades i steget \"test\"."),
        ("table", [("Bygge", "#4821"), ("Commit", "a3f9c1e2 — Uppdatera beroenden"),
                   ("Version", "1.9.0-rc.2"), ("Tid", "3 nov. 2026 kl. 11:48"),
                   ("Körtid", "6 min 31 s")]),
        ("button", "Visa bygget", "https://bygglada.example/kassa-api/builds/4821"),
    ], address="Bygglåda AB, Sveavägen 44, 111 34 Stockholm")
    raw = message(addr("Bygglåda", "ci@bygglada.example"), "user@waypost.localhost",
                  "[kassa-api] Bygge #4821 misslyckades (main)", "Tue, 03 Nov 2026 11:49:02 +0100",
                  alt(text, html_, "utf-8", "quoted-printable", "base64"), "bygglada.example")
    add(raw, "none", None, "sv", "alphanumeric", "CI build failure notice",
        "hard negative: build number, commit hash and version, no code")

    # A17 pt none: invoice with payment reference ("código")
    text, html_ = page("Luz&Casa", "luzecasa.example", "pt", [
        ("h", "A sua fatura de outubro"),
        ("p", "Olá Inês, a sua fatura de eletricidade já está disponível."),
        ("table", [("Fatura nº", "FT 2026/48213"), ("Período", "01/10/2026 a 31/10/2026"),
                   ("Valor", "61,37 EUR"), ("Data limite", "23/11/2026"),
                   ("Entidade", "21834"), ("Referência", "129 447 203")]),
        ("p", "Pode pagar por Multibanco com a entidade e o código de referência acima, "
              "ou ativar o débito direto na sua área de cliente."),
        ("button", "Ver fatura", "https://luzecasa.example/cliente/faturas/FT-2026-48213"),
    ], address="Luz&Casa Energia, S.A., Av. da Liberdade 190, 1250-147 Lisboa, NIF 514208231")
    raw = message(addr("Luz&Casa", "faturas@luzecasa.example"), "user@waypost.localhost",
                  "Fatura FT 2026/48213 disponível", "Tue, 03 Nov 2026 07:30:00 +0000",
                  alt(text, html_), "luzecasa.example")
    add(raw, "none", None, "pt", "alphanumeric", "utility invoice",
        "hard negative: invoice number and a payment reference the mail calls a code")

    # A18 ar none: shipping notice with a tracking "code" and order number
    text, html_ = page("سوق الواحة", "souq-alwaha.example", "ar", [
        ("h", "تم شحن طلبك"),
        ("p", "مرحبًا سارة، تم شحن طلبك رقم 7731-2026-4482 وسيصل خلال 2-4 أيام عمل."),
        ("table", [("رقم الطلب", "7731-2026-4482"), ("رمز التتبع", "AR7719284SA"),
                   ("شركة الشحن", "البريد السريع"), ("تاريخ الشحن", "03/11/2026")]),
        ("button", "تتبع الشحنة", "https://souq-alwaha.example/orders/7731-2026-4482/track"),
    ], address="سوق الواحة، شارع الملك فهد، الرياض 12271، المملكة العربية السعودية")
    html_ = html_.replace('<html lang="ar">', '<html lang="ar" dir="rtl">')
    raw = message(addr("سوق الواحة", "orders@souq-alwaha.example"), "user@waypost.localhost",
                  "تم شحن طلبك 7731-2026-4482", "Tue, 03 Nov 2026 12:10:00 +0300",
                  alt(text, html_.replace('charset="utf-8"', 'charset="windows-1256"'),
                      "windows-1256", "quoted-printable", "base64"),
                  "souq-alwaha.example", charset="utf-8")
    add(raw, "none", None, "ar", "alphanumeric", "marketplace shipping notice",
        "hard negative: tracking code (رمز التتبع) and order number; windows-1256")
    _ = (esc, hexs, multi, tok, SRC)
