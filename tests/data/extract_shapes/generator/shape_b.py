"""Shape 2: app links — custom-scheme deep links only, or custom scheme + https fallback."""

from __future__ import annotations

from lib import addr, alt, esc, leaf, message, page, tok


def build(add):
    # B1 en: custom scheme only (reset password), multipart
    link = f"notely://reset-password?code={tok(32)}&uid=58213"
    text, html_ = page("Notely", "notely.example", "en", [
        ("h", "Reset your password"),
        ("p", "We got a request to reset the password for your Notely account. Tap the button "
              "on your phone to choose a new one in the app."),
        ("button", "Reset password in the app", link),
        ("p", "This link works only on a device with Notely installed and expires in 1 hour."),
        ("p", "Don't have the app yet? Get it on the App Store or Google Play."),
        ("raw", "App Store: https://apps.apple.com/app/notely/id6449912837\n"
                "Google Play: https://play.google.com/store/apps/details?id=com.notely.android",
         '<p><a href="https://apps.apple.com/app/notely/id6449912837"><img src="https://cdn.notely.example/badges/appstore.png" alt="Download on the App Store" height="40"></a> '
         '<a href="https://play.google.com/store/apps/details?id=com.notely.android"><img src="https://cdn.notely.example/badges/googleplay.png" alt="Get it on Google Play" height="40"></a></p>'),
    ], address="Notely Labs, 1 Harbour Exchange Sq, London E14 9GE")
    raw = message(addr("Notely", "support@notely.example"), "user@waypost.localhost",
                  "Reset your Notely password", "Tue, 03 Nov 2026 09:02:14 +0000",
                  alt(text, html_), "notely.example")
    add(raw, "magic_link", link, "en", "app_link", "notes app password reset",
        "reset link exists only as a custom-scheme deep link; app store links as noise")

    # B2 de: reverse-DNS scheme only, html only QP
    link = f"com.fahrwerk.app://auth?token={tok(40)}&mode=login"
    _, html_ = page("Fahrwerk", "fahrwerk.example", "de", [
        ("h", "Anmelden bei Fahrwerk"),
        ("p", "Tippe auf deinem Smartphone auf den Button, um dich ohne Passwort in der "
              "Fahrwerk-App anzumelden."),
        ("button", "In der App anmelden", link),
        ("p", "Der Link ist 15 Minuten gültig und kann nur einmal verwendet werden. Öffne "
              "diese E-Mail auf dem Gerät, auf dem die App installiert ist."),
        ("small", "Angefordert am 03.11.2026 um 08:55 Uhr von iPhone 15 (iOS 19.1)."),
    ], address="Fahrwerk Mobility GmbH, Leopoldstraße 31, 80802 München")
    raw = message(addr("Fahrwerk", "hallo@fahrwerk.example"), "user@waypost.localhost",
                  "Dein Anmeldelink für die Fahrwerk-App", "Tue, 03 Nov 2026 08:55:40 +0100",
                  leaf("html", html_, "utf-8", "quoted-printable"), "fahrwerk.example")
    add(raw, "magic_link", link, "de", "app_link", "mobility app passwordless sign-in",
        "sign-in link exists only as a reverse-DNS custom-scheme link; html only QP")

    # B3 fr: custom scheme button + https fallback (right answer)
    t = tok(36)
    deep = f"bibliomo://login?token={t}"
    web = f"https://bibliomo.example/connexion/verifier?token={t}&src=email"
    text, html_ = page("Bibliomo", "bibliomo.example", "fr", [
        ("h", "Votre lien de connexion"),
        ("p", "Bonjour Léa, voici votre lien pour vous connecter à Bibliomo."),
        ("button", "Ouvrir dans l'application", deep),
        ("link", "L'application n'est pas installée ? Ouvrez ce lien dans votre navigateur :", web),
        ("p", "Ce lien expire dans 20 minutes."),
    ], address="Bibliomo SAS, 8 rue de la Paix, 75002 Paris")
    raw = message(addr("Bibliomo", "bonjour@bibliomo.example"), "lea.martin@waypost.localhost",
                  "Connexion à Bibliomo", "Tue, 03 Nov 2026 10:31:00 +0100",
                  alt(text, html_, "utf-8", "quoted-printable", "base64"), "bibliomo.example")
    add(raw, "magic_link", web, "fr", "app_link", "reading app magic link",
        "custom-scheme button first, https browser fallback below: https is right")

    # B4 es: text only, custom + https fallback
    t = tok(28)
    deep = f"rutapp://verify?t={t}"
    web = f"https://rutapp.example/v/{t}"
    text = (
        "¡Hola Diego!\n\n"
        "Confirma tu correo para empezar a planificar tus rutas.\n\n"
        f"Desde el móvil (abre la app): {deep}\n\n"
        f"¿No tienes la app o estás en el ordenador? Usa este enlace:\n{web}\n\n"
        "El enlace caduca en 24 horas.\n\n"
        "Saludos,\nEl equipo de Rutapp\n\n"
        "Rutapp S.L. · Passeig de Gràcia 21, 08007 Barcelona\n"
        "Darse de baja: https://rutapp.example/baja?u=d1eg0&k=7Yq\n"
        "Síguenos: https://www.instagram.com/rutapp/ · https://x.com/rutapp\n"
    )
    raw = message(addr("Rutapp", "hola@rutapp.example"), "user@waypost.localhost",
                  "Confirma tu correo electrónico", "Tue, 03 Nov 2026 12:00:09 +0100",
                  leaf("plain", text, "iso-8859-1", "8bit"), "rutapp.example")
    add(raw, "magic_link", web, "es", "app_link", "route-planning app email confirmation",
        "text only latin-1 8bit; custom-scheme link first, https fallback is right")

    # B5 pt: custom only, text only
    link = f"finzapp://magic-login?token={tok(44)}&email=joao.silva%40waypost.localhost"
    text = (
        "Olá João,\n\n"
        "Recebemos um pedido para entrar na sua conta Finz.\n"
        "Abra o link abaixo no seu celular, com o app Finz instalado:\n\n"
        f"{link}\n\n"
        "O link vale por 10 minutos e só pode ser usado uma vez.\n"
        "Se você não pediu este acesso, ignore este e-mail.\n\n"
        "Equipe Finz\n"
        "Finz Pagamentos Ltda. · CNPJ 38.172.445/0001-09 · Av. Paulista, 1578, São Paulo - SP\n"
        "Central de ajuda: https://ajuda.finz.example\n"
    )
    raw = message(addr("Finz", "acesso@finz.example"), "joao.silva@waypost.localhost",
                  "Seu link de acesso ao Finz", "Tue, 03 Nov 2026 08:12:00 -0300",
                  leaf("plain", text, "utf-8", "8bit"), "finz.example")
    add(raw, "magic_link", link, "pt", "app_link", "fintech app magic login",
        "custom-scheme link only, text only 8bit")

    # B6 it: android intent:// + custom scheme + https fallback
    t = tok(32)
    intent = (f"intent://login?token={t}#Intent;scheme=cucinafacile;"
              "package=it.cucinafacile.app;end")
    deep = f"cucinafacile://login?token={t}"
    web = f"https://cucinafacile.example/accedi/link?token={t}"
    text, html_ = page("CucinaFacile", "cucinafacile.example", "it", [
        ("h", "Accedi a CucinaFacile"),
        ("p", "Ciao Marco, tocca il pulsante per accedere. Su Android si aprirà direttamente l'app."),
        ("button", "Apri l'app (Android)", intent),
        ("button", "Apri l'app (iPhone)", deep),
        ("link", "Oppure accedi dal browser:", web),
        ("p", "Il link scade tra 15 minuti."),
    ], address="CucinaFacile S.r.l., Corso Buenos Aires 54, 20124 Milano")
    raw = message(addr("CucinaFacile", "ciao@cucinafacile.example"), "user@waypost.localhost",
                  "Il tuo link di accesso", "Tue, 03 Nov 2026 19:45:12 +0100",
                  alt(text, html_), "cucinafacile.example")
    add(raw, "magic_link", web, "it", "app_link", "recipe app magic link",
        "Android intent:// and iOS custom-scheme buttons, https browser fallback is right")

    # B7 ja: custom only, reverse-DNS scheme; html base64
    link = f"jp.kakeibo.app://password/reset?code={tok(24)}"
    text, html_ = page("かけいぼ", "kakeibo.example", "ja", [
        ("h", "パスワードの再設定"),
        ("p", "パスワード再設定のリクエストを受け付けました。"),
        ("p", "かけいぼアプリをインストールしたスマートフォンで、下のボタンをタップしてください。"),
        ("button", "アプリで再設定する", link),
        ("p", "このリンクの有効期限は60分です。"),
        ("small", "お問い合わせ番号：KB-20261103-0412"),
    ], address="株式会社かけいぼ 〒530-0001 大阪府大阪市北区梅田1-13-1")
    raw = message(addr("かけいぼ", "support@kakeibo.example"), "user@waypost.localhost",
                  "【かけいぼ】パスワード再設定のご案内", "Tue, 03 Nov 2026 21:30:00 +0900",
                  alt(text, html_, "utf-8", "base64", "base64"), "kakeibo.example")
    add(raw, "magic_link", link, "ja", "app_link", "household budget app password reset",
        "reset link exists only as a reverse-DNS custom-scheme link; base64")

    # B8 ko: custom + https fallback; EUC-KR html
    t = tok(30)
    deep = f"moamoa://auth/email-verify?token={t}"
    web = f"https://moamoa.example/auth/email-verify?token={t}"
    text, html_ = page("모아모아", "moamoa.example", "ko", [
        ("h", "이메일 주소를 인증해 주세요"),
        ("p", "모아모아 가입을 환영합니다! 아래 버튼을 눌러 이메일 인증을 완료하세요."),
        ("button", "앱에서 인증하기", deep),
        ("link", "버튼이 작동하지 않으면 아래 링크를 브라우저에 붙여 넣으세요.", web),
        ("p", "인증 링크는 24시간 동안 유효합니다."),
    ], address="모아모아(주) · 경기도 성남시 분당구 판교역로 235")
    raw = message(addr("모아모아", "hello@moamoa.example", "euc-kr"), "user@waypost.localhost",
                  "[모아모아] 이메일 인증", "Tue, 03 Nov 2026 11:11:11 +0900",
                  alt(text.replace("©", "(c)"),
                      html_.replace('charset="utf-8"', 'charset="euc-kr"').replace("©", "&copy;"),
                      "euc-kr", "base64", "quoted-printable"),
                  "moamoa.example", charset="euc-kr")
    add(raw, "magic_link", web, "ko", "app_link", "savings app email verification",
        "custom-scheme button then https fallback (right); EUC-KR")

    # B9 zh: custom only, text only GB18030
    link = f"weidu://auth/callback?ticket={tok(36)}&type=reset"
    text = (
        "您好，\n\n"
        "我们收到了重置您“微读”账户密码的请求。\n"
        "请在已安装微读 App 的手机上打开以下链接完成重置：\n\n"
        f"{link}\n\n"
        "该链接 30 分钟内有效，且只能使用一次。如非本人操作，请忽略本邮件。\n\n"
        "微读团队\n"
        "2026年11月3日\n"
        "客服热线：400-820-1234（工作日 9:00-18:00）\n"
    )
    raw = message(addr("微读", "service@weidu.example", "gb18030"), "user@waypost.localhost",
                  "微读 密码重置", "Tue, 03 Nov 2026 16:20:00 +0800",
                  leaf("plain", text, "gb18030", "base64"), "weidu.example", charset="gb18030")
    add(raw, "magic_link", link, "zh", "app_link", "reading app password reset",
        "custom-scheme link only; text only GB18030 base64")

    # B10 ru: custom + https fallback; windows-1251 QP
    t = tok(32)
    deep = f"kvartirka://signin?code={t}"
    web = f"https://kvartirka.example/signin/email?code={t}"
    text, html_ = page("Квартирка", "kvartirka.example", "ru", [
        ("h", "Вход в Квартирку"),
        ("p", "Нажмите кнопку, чтобы войти в приложение. Ссылка действует 15 минут."),
        ("button", "Открыть приложение", deep),
        ("link", "Если приложение не открылось, войдите через сайт:", web),
        ("small", "Запрос с устройства Xiaomi 14, 03.11.2026 в 14:02 (МСК)."),
    ], address="ООО «Квартирка», 123112, Москва, Пресненская наб., 10")
    raw = message(addr("Квартирка", "noreply@kvartirka.example", "windows-1251"),
                  "user@waypost.localhost", "Ссылка для входа", "Tue, 03 Nov 2026 14:02:30 +0300",
                  alt(text, html_.replace('charset="utf-8"', 'charset="windows-1251"'),
                      "windows-1251"),
                  "kvartirka.example", charset="windows-1251")
    add(raw, "magic_link", web, "ru", "app_link", "rental app sign-in link",
        "custom-scheme button then https web fallback (right); windows-1251")

    # B11 nl: custom only with the token in the fragment
    link = f"fietsmaatje://wachtwoord-herstellen#token={tok(40)}"
    text, html_ = page("Fietsmaatje", "fietsmaatje.example", "nl", [
        ("h", "Nieuw wachtwoord instellen"),
        ("p", "Hoi Sanne, tik op de knop op je telefoon om in de Fietsmaatje-app een nieuw "
              "wachtwoord te kiezen."),
        ("button", "Wachtwoord herstellen", link),
        ("p", "De link is 2 uur geldig."),
    ], address="Fietsmaatje B.V., Oudegracht 112, 3511 AW Utrecht")
    raw = message(addr("Fietsmaatje", "help@fietsmaatje.example"), "user@waypost.localhost",
                  "Wachtwoord herstellen", "Tue, 03 Nov 2026 07:58:00 +0100",
                  alt(text, html_, "utf-8", "quoted-printable", "quoted-printable"),
                  "fietsmaatje.example")
    add(raw, "magic_link", link, "nl", "app_link", "bike rental app password reset",
        "custom-scheme link only, token in the #fragment")

    # B12 sv: https fallback first in text, custom in html button
    t = tok(34)
    deep = f"se.matkassen.app://login?token={t}"
    web = f"https://app.matkassen.example/login/magic?token={t}"
    text, html_ = page("Matkassen", "matkassen.example", "sv", [
        ("h", "Logga in på Matkassen"),
        ("p", "Hej Erik! Här är din inloggningslänk."),
        ("button", "Öppna i appen", deep),
        ("link", "Använder du datorn? Logga in i webbläsaren:", web),
        ("p", "Länken gäller i 30 minuter. Veckans meny: thaicurry, laxpasta och linsgryta."),
    ], address="Matkassen AB, Drottninggatan 71, 111 36 Stockholm")
    raw = message(addr("Matkassen", "kundservice@matkassen.example"), "user@waypost.localhost",
                  "Din inloggningslänk", "Tue, 03 Nov 2026 17:25:45 +0100",
                  alt(text, html_, "iso-8859-1", "quoted-printable", "quoted-printable"),
                  "matkassen.example")
    add(raw, "magic_link", web, "sv", "app_link", "meal-kit app magic link",
        "reverse-DNS custom-scheme button then https fallback (right); latin-1")

    # B13 en none: app newsletter full of deep links and store links
    text, html_ = page("Notely", "notely.example", "en", [
        ("h", "5 things you can do with Notely 4"),
        ("p", "Templates, offline folders and a faster editor are here."),
        ("button", "Try templates", "notely://templates/gallery?utm_campaign=nov26"),
        ("button", "Open your folders", "notely://folders?tab=offline"),
        ("p", "Upgrade to Notely Pro and get 3 months for the price of one."),
        ("button", "See plans", "notely://settings/subscription?plan=pro&promo=NOV3FOR1"),
        ("raw", "App Store: itms-apps://apps.apple.com/app/id6449912837\n"
                "Google Play: market://details?id=com.notely.android",
         '<p><a href="itms-apps://apps.apple.com/app/id6449912837">App Store</a> · '
         '<a href="market://details?id=com.notely.android">Google Play</a></p>'),
    ], address="Notely Labs, 1 Harbour Exchange Sq, London E14 9GE")
    raw = message(addr("Notely", "news@notely.example"), "user@waypost.localhost",
                  "New in Notely: templates & offline folders", "Tue, 03 Nov 2026 16:00:00 +0000",
                  alt(text, html_), "notely.example",
                  [("List-Unsubscribe", "<https://email.notely.example/unsub/8Kq2>"),
                   ("Precedence", "bulk")])
    add(raw, "none", None, "en", "app_link", "notes app newsletter",
        "hard negative: custom-scheme deep links and store links, nothing to verify")

    # B14 pl none: security notice with deep link to the security screen
    text, html_ = page("Bankly", "bankly.example", "pl", [
        ("h", "Hasło zostało zmienione"),
        ("p", "Hasło do Twojego konta Bankly zostało zmienione 03.11.2026 o 12:14 "
              "(Samsung Galaxy S24, Kraków)."),
        ("p", "Jeśli to nie Ty, natychmiast zablokuj dostęp w aplikacji:"),
        ("button", "Otwórz ustawienia bezpieczeństwa", "bankly://security/devices"),
        ("link", "Lub zadzwoń na infolinię 801 300 800. Więcej informacji:",
         "https://bankly.example/pomoc/bezpieczenstwo"),
    ], address="Bankly S.A., ul. Marszałkowska 142, 00-061 Warszawa, KRS 0000912345")
    raw = message(addr("Bankly", "bezpieczenstwo@bankly.example"), "user@waypost.localhost",
                  "Zmiana hasła w Bankly", "Tue, 03 Nov 2026 12:15:02 +0100",
                  alt(text, html_, "windows-1250", "quoted-printable", "quoted-printable"),
                  "bankly.example", charset="windows-1250")
    add(raw, "none", None, "pl", "app_link", "bank app security notice",
        "hard negative: password-changed notice with a tokenless deep link")

    # B15 tr: custom only, html only, reverse-DNS scheme (email verification)
    link = f"com.yolcu.app://verify-email?token={tok(38)}&lang=tr"
    _, html_ = page("Yolcu", "yolcu.example", "tr", [
        ("h", "E-posta adresini doğrula"),
        ("p", "Yolcu'ya hoş geldin Ayşe! Hesabını etkinleştirmek için telefonunda aşağıdaki "
              "düğmeye dokun."),
        ("button", "E-postamı doğrula", link),
        ("p", "Bu bağlantı 48 saat geçerlidir."),
    ], address="Yolcu Teknoloji A.Ş., Levent Mah. Cömert Sok. 1A, 34330 Beşiktaş/İstanbul")
    raw = message(addr("Yolcu", "merhaba@yolcu.example"), "user@waypost.localhost",
                  "E-posta adresini doğrula", "Tue, 03 Nov 2026 13:13:13 +0300",
                  leaf("html", html_, "utf-8", "base64"), "yolcu.example")
    add(raw, "magic_link", link, "tr", "app_link", "travel app email verification",
        "verification link only as a reverse-DNS custom-scheme link; html only base64")

    # B16 ar: custom + https fallback; windows-1256
    t = tok(30)
    deep = f"tawsil://reset?code={t}"
    web = f"https://tawsil.example/ar/reset-password?code={t}"
    text, html_ = page("توصيل", "tawsil.example", "ar", [
        ("h", "إعادة تعيين كلمة المرور"),
        ("p", "مرحبًا أحمد، تلقينا طلبًا لإعادة تعيين كلمة المرور لحسابك."),
        ("button", "افتح التطبيق", deep),
        ("link", "إذا لم يكن التطبيق مثبتًا، استخدم هذا الرابط في المتصفح:", web),
        ("p", "ينتهي هذا الرابط خلال ساعة واحدة."),
    ], address="شركة توصيل، طريق الشيخ زايد، دبي، الإمارات العربية المتحدة")
    html_ = html_.replace('<html lang="ar">', '<html lang="ar" dir="rtl">')
    raw = message(addr("توصيل", "no-reply@tawsil.example", "windows-1256"),
                  "user@waypost.localhost", "إعادة تعيين كلمة المرور",
                  "Tue, 03 Nov 2026 18:40:00 +0400",
                  alt(text, html_.replace('charset="utf-8"', 'charset="windows-1256"'),
                      "windows-1256", "quoted-printable", "base64"),
                  "tawsil.example", charset="windows-1256")
    add(raw, "magic_link", web, "ar", "app_link", "delivery app password reset",
        "custom-scheme button then https fallback (right); windows-1256")

    # B17 en: universal https link + custom scheme in text + store badges; https is right
    t = tok(40)
    web = f"https://links.pebbl.example/auth/confirm?token={t}&platform=any"
    deep = f"pebbl://auth/confirm?token={t}"
    text, html_ = page("Pebbl", "pebbl.example", "en", [
        ("h", "Confirm your sign-in"),
        ("p", "Hi Priya — tap below to sign in to Pebbl. This link expires in 15 minutes."),
        ("button", "Sign in to Pebbl", web),
        ("ph", f"Having trouble? If the app is installed you can also paste {deep} into your "
               "phone's browser.",
         f"Having trouble? If the app is installed you can also use <a href=\"{esc(deep)}\">"
         "this app link</a>."),
        ("raw", "Get the app: https://apps.apple.com/app/pebbl/id1582239011",
         '<p><a href="https://apps.apple.com/app/pebbl/id1582239011">Get the app</a></p>'),
    ], address="Pebbl Inc., 2261 Market St #5124, San Francisco, CA 94114")
    raw = message(addr("Pebbl", "hello@pebbl.example"), "priya@waypost.localhost",
                  "Your Pebbl sign-in link", "Tue, 03 Nov 2026 20:05:00 +0000",
                  alt(text, html_), "pebbl.example")
    add(raw, "magic_link", web, "en", "app_link", "habit-tracker app sign-in",
        "https universal link first, custom-scheme alternative below: https is right")

    # B18 es none: share notification with a custom-scheme share link carrying an id/token
    share = f"sonora://playlist/{tok(22)}?si={tok(16)}&utm_source=email"
    text, html_ = page("Sonora", "sonora.example", "es", [
        ("h", "Pablo ha compartido una lista contigo"),
        ("p", "«Carretera 2026» · 48 canciones · 3 h 12 min"),
        ("button", "Escuchar en la app", share),
        ("link", "¿En el ordenador? Ábrela en el reproductor web:",
         "https://open.sonora.example/playlist/carretera-2026"),
        ("p", "Prueba Sonora Premium 3 meses gratis. Se aplican condiciones."),
    ], address="Sonora Música S.L., Gran Vía 28, 28013 Madrid")
    raw = message(addr("Sonora", "no-reply@sonora.example"), "user@waypost.localhost",
                  "Pablo ha compartido «Carretera 2026» contigo", "Tue, 03 Nov 2026 22:10:00 +0100",
                  alt(text, html_), "sonora.example")
    add(raw, "none", None, "es", "app_link", "music app playlist share",
        "hard negative: custom-scheme share link with an si= parameter, nothing to verify")
