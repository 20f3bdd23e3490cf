//! Every string the pages show, in Russian, English and Chinese. A message is one constant
//! with all three texts, so a page cannot show a string that lacks a translation.

use simexit_domain::{
    Action, Channel, CustomerCategory, DocumentKind, Language, LineState, Money, Reason, RequestState,
};

pub struct Msg {
    pub ru: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

pub trait Tr {
    fn t(self, m: &Msg) -> &'static str;
}

impl Tr for Language {
    fn t(self, m: &Msg) -> &'static str {
        match self {
            Language::Ru => m.ru,
            Language::En => m.en,
            Language::Zh => m.zh,
        }
    }
}

macro_rules! msgs {
    ($($name:ident: $ru:literal, $en:literal, $zh:literal;)*) => {
        $(pub const $name: Msg = Msg { ru: $ru, en: $en, zh: $zh };)*
        #[cfg(test)]
        pub const MESSAGES: &[(&str, &Msg)] = &[$((stringify!($name), &$name)),*];
    };
}

msgs! {
    APP: "Расторжение договора", "SIM contract termination", "SIM 卡合同解约";
    SKIP: "К содержанию", "Skip to content", "跳到正文";
    LANGUAGE: "Язык", "Language", "语言";
    HOME: "Главная", "Home", "首页";
    STORES: "Салоны связи", "Stores", "营业厅";
    CHECK_CERTIFICATE: "Проверить справку", "Check a certificate", "验证证明";
    SIGN_IN: "Войти", "Sign in", "登录";
    SIGN_OUT: "Выйти", "Sign out", "退出";
    MY_LINES: "Мои номера", "My numbers", "我的号码";
    QUEUE: "Очередь проверки", "Review queue", "审核队列";
    STORE_CONSOLE: "Мой салон", "My store", "我的营业厅";
    DASHBOARD: "Панель управления", "Dashboard", "管理面板";
    SIGNED_IN_AS: "Вы вошли как", "Signed in as", "当前用户";

    HERO_TITLE: "Расторгните договор, а не просто выбросьте SIM-карту", "Cancel the contract — don't just throw the SIM away", "请正式解约，而不是直接丢掉 SIM 卡";
    HERO_TEXT: "Неиспользуемый номер по-прежнему связан с вами: на него приходят звонки и сообщения, а платные услуги и роуминг продолжают списывать деньги и превращаются в долг.", "A number you no longer use is still tied to you: calls and messages still reach it, and paid add-ons and roaming keep charging it until they become debt.", "不再使用的号码仍与您绑定：电话和短信仍会发到该号码，付费增值服务和漫游仍在扣费，最终会变成欠款。";
    HOW_IT_WORKS: "Как это работает", "How it works", "办理流程";
    STEP_1: "Войдите и выберите номер — мы покажем, можно ли расторгнуть договор онлайн и какие документы нужны.", "Sign in and choose the number: we show whether you can cancel online and which documents you need.", "登录并选择号码：我们会告诉您能否在线解约以及需要哪些证件。";
    STEP_2: "Погасите долг, если он есть, загрузите документы и выберите, что сделать с остатком на счёте.", "Pay any debt, upload your documents and choose what happens to your balance.", "如有欠款请先缴清，上传证件，并选择余额的处理方式。";
    STEP_3: "Заявку проверят в течение 1–3 рабочих дней; решение придёт по e-mail и SMS.", "The request is reviewed within 1–3 business days; the decision arrives by e-mail and SMS.", "申请将在 1–3 个工作日内审核，结果通过电子邮件和短信通知。";
    STEP_4: "После расторжения номер замораживается: в это время вы можете передумать и вернуть его.", "After cancellation the number is frozen: during that time you can change your mind and get it back.", "解约后号码将被冻结：冻结期内您可以撤销解约并取回号码。";
    OR_VISIT: "Или приходите в салон с паспортом — договор расторгнут сразу.", "Or visit a store with your passport: the contract is cancelled on the spot.", "或携带护照前往营业厅，当场办理解约。";

    LOGIN: "Логин", "Login", "登录名";
    PASSWORD: "Пароль", "Password", "密码";
    FORGOT_PASSWORD: "Забыли пароль?", "Forgot your password?", "忘记密码？";
    BAD_LOGIN: "Неверный логин или пароль.", "Wrong login or password.", "登录名或密码错误。";
    FORM_EXPIRED: "Эта форма устарела: войдите ещё раз.", "This form has expired: please sign in again.", "此表单已过期，请重新登录。";
    REQUIRED: "Заполните это поле.", "Please fill in this field.", "请填写此项。";
    RESET_TITLE: "Восстановление пароля", "Reset your password", "重置密码";
    RESET_TEXT: "Укажите номер телефона из договора — мы пришлём на него код по SMS.", "Enter the phone number of your contract: we will text you a code.", "请输入合同中的手机号码，我们将通过短信发送验证码。";
    PHONE: "Номер телефона", "Phone number", "手机号码";
    SEND_CODE: "Прислать код", "Send the code", "发送验证码";
    CODE: "Код из SMS", "Code from the SMS", "短信验证码";
    NEW_PASSWORD: "Новый пароль", "New password", "新密码";
    SET_PASSWORD: "Сменить пароль", "Change the password", "修改密码";
    CODE_SENT: "Если номер есть в договоре, код уже отправлен по SMS.", "If the number belongs to a contract, the code is on its way by SMS.", "如果该号码属于某份合同，验证码已通过短信发送。";
    PASSWORD_CHANGED: "Пароль изменён. Войдите с новым паролем.", "Your password has been changed. Sign in with the new one.", "密码已修改，请使用新密码登录。";
    INVALID_WAIT: "Ожидание — от 0 до 1440 минут.", "The wait is 0 to 1440 minutes.", "等候时间应为 0 至 1440 分钟。";
    STORES_IMPORT_HINT: "Салоны и пункты приёма загружаются командой simexit stores import ФАЙЛ; здесь — их часы и текущее ожидание.", "Stores and recycling points are brought in with simexit stores import FILE; here are their hours and current wait.", "营业厅和回收点通过 simexit stores import 文件 导入；此处显示其营业时间和当前等候。";
    TAKES_SIMS_FOR_RECYCLING: "Принимает SIM-карты на переработку", "Takes SIM cards for recycling", "回收 SIM 卡";
    RECYCLING_POINT: "Пункт приёма SIM-карт", "SIM card recycling point", "SIM 卡回收点";
    SIGN_IN_BY_CODE: "Вход по коду из SMS", "Sign in with a code by SMS", "短信验证码登录";
    SIGN_IN_BY_CODE_TEXT: "Укажите номер вашей SIM-карты — мы пришлём на него код.", "Enter the number of your SIM card: we will text a code to it.", "请输入您的 SIM 卡号码，我们将向其发送验证码。";
    OR_PASSWORD: "Или войдите по логину и паролю", "Or sign in with your login and password", "或使用登录名和密码登录";
    SIGN_IN_CODE_SENT: "Если это действующий номер, код уже отправлен на него по SMS.", "If this is an active number, the code is on its way to it by SMS.", "如果这是有效号码，验证码已通过短信发送至该号码。";
    CANT_SIGN_IN: "Не можете подтвердить личность онлайн? Обратитесь в салон или в службу поддержки.", "Cannot prove who you are online? Visit a store or call support.", "无法在线验证身份？请前往营业厅或联系客服。";

    OPERATOR: "Оператор", "Operator", "运营商";
    NUMBER: "Номер", "Number", "号码";
    STATE: "Состояние", "State", "状态";
    BALANCE: "Баланс", "Balance", "余额";
    PAID_SERVICES: "Платные услуги", "Paid add-on services", "付费增值服务";
    PER_MONTH: "в месяц", "a month", "每月";
    NO_SERVICES: "Нет платных услуг", "No paid services", "无付费服务";
    CANCEL_NUMBER: "Расторгнуть договор по этому номеру", "Cancel this number", "注销此号码";
    MY_REQUESTS: "Мои заявки", "My requests", "我的申请";
    NO_REQUESTS: "Заявок пока нет.", "No requests yet.", "暂无申请。";
    MY_REFUNDS: "Мои возвраты", "My refunds", "我的退款";
    GIVE_DETAILS: "Выбрать, как получить возврат", "Choose how to receive your refund", "选择退款方式";
    REQUEST: "Заявка", "Request", "申请";

    CAN_ONLINE: "Договор можно расторгнуть онлайн.", "You can cancel this contract online.", "此合同可以在线解约。";
    NEEDS_STORE: "Этот оператор расторгает договор только в салоне связи. Возьмите паспорт и SIM-карту.", "This operator cancels contracts only in a store. Bring your passport and the SIM card.", "该运营商仅在营业厅办理解约。请携带护照和 SIM 卡。";
    NEAREST_STORES: "Салоны оператора", "The operator's stores", "该运营商的营业厅";
    PREPARE: "Что подготовить", "What to prepare", "需要准备的材料";
    BRING_SIM: "SIM-карту (для визита в салон)", "The SIM card (for a store visit)", "SIM 卡（前往营业厅时）";
    CONTRACT_IF_ANY: "Договор или недавний счёт, если они у вас есть", "The contract or a recent bill, if you have them", "合同或近期账单（如有）";
    BLOCKED_BY: "Сначала нужно", "First you need to", "请先处理";
    DEBT_FIRST: "Погасите задолженность", "Pay the outstanding debt", "缴清欠款";
    AMOUNT_DUE: "К оплате до расторжения", "Due before termination", "解约前应付";
    PAY: "Оплатить", "Pay", "支付";
    PAID: "Оплата принята.", "Payment received.", "已收到付款。";
    PAYING: "Платёж отправлен: баланс изменится, как только платёжный сервис его подтвердит.", "Payment sent: the balance changes as soon as the payment service confirms it.", "付款已发送：支付服务确认后余额即更新。";
    PAY_BY_CARD: "Оплата картой", "Pay by card", "银行卡支付";
    DEMO_PROVIDER: "Демонстрационный платёжный сервис: карта не списывается, номер карты не сохраняется.", "Demo payment service: no card is charged and no card number is kept.", "演示支付服务：不会扣款，也不保存卡号。";
    AMOUNT: "Сумма", "Amount", "金额";
    PURPOSE: "Назначение", "For", "用途";
    CARD_NUMBER: "Номер карты", "Card number", "卡号";
    CANCEL_PAYMENT: "Отказаться от оплаты", "Cancel the payment", "取消付款";
    CASH_DESK: "Оплата наличными в кассе", "Cash at the desk", "收银台现金付款";
    AMOUNT_ROUBLES: "Сумма, ₽", "Amount, ₽", "金额（卢布）";
    RECEIPT_NUMBER: "Номер чека", "Receipt number", "收据号";
    TAKE_CASH: "Принять оплату", "Take the payment", "收款";
    WEBHOOKS: "Вебхуки", "Webhooks", "Webhook 回调";
    NEW_WEBHOOK: "Новая подписка", "New subscription", "新建订阅";
    EVENTS: "События", "Events", "事件";
    ENABLED: "включена", "enabled", "已启用";
    HOOK_DISABLED: "выключена", "disabled", "已停用";
    ENABLE: "Включить", "Enable", "启用";
    DISABLE: "Выключить", "Disable", "停用";
    ROTATE_SECRET: "Новый секрет", "Rotate the secret", "更换密钥";
    RESEND: "Отправить снова", "Resend", "重新发送";
    SECRET_ONCE: "Секрет подписи — показывается один раз, сохраните его", "The signing secret — shown this once, keep it", "签名密钥——仅显示一次，请妥善保存";
    CASH_PAYOUTS: "Выдача возвратов наличными", "Cash refunds to pay out", "待发放的现金退款";
    VOUCHER_NUMBER: "Номер расходного кассового ордера", "Cash voucher number", "现金支出单号";
    VOUCHER_SIGNED: "Абонент расписался в ордере", "The subscriber signed the voucher", "用户已在支出单上签字";
    PAY_OUT: "Выдать наличные", "Hand over the cash", "发放现金";
    REFUND_ROUTE: "Как получить возврат", "How to receive the refund", "退款方式";
    PHONE_FOR_SBP: "Телефон для СБП", "Phone number for SBP", "СБП 手机号";
    SBP_BANK: "Банк получателя", "The recipient's bank", "收款银行";
    COLLECT_AT: "Салон, где получить наличные", "Store to collect the cash at", "领取现金的营业厅";
    CARD_ROUTE_HELP: "Деньги вернутся на карту, которой вы оплатили.", "The money goes back to the card you paid with.", "款项将退回您付款的银行卡。";
    CASH_ROUTE_HELP: "Возьмите паспорт: вы распишетесь в расходном кассовом ордере.", "Bring your passport: you sign the cash voucher.", "请携带护照：领取时需在现金支出单上签字。";
    OPEN_REQUEST_EXISTS: "По этому номеру уже есть заявка", "There is already a request for this number", "此号码已有申请";
    LINE_NOT_ACTIVE: "Номер не активен", "The number is not active", "该号码未激活";
    START_REQUEST: "Начать заявку", "Start the request", "开始申请";
    REVIEW_TIME: "Срок проверки, рабочих дней", "Review time, business days", "审核时间（工作日）";
    AGING_DAYS: "Номер замораживается на, дней", "The number stays frozen for, days", "号码冻结天数";
    HOTLINE: "Горячая линия", "Hotline", "客服热线";
    WEBSITE: "Сайт", "Website", "网站";

    STATUS: "Статус", "Status", "状态";
    TIMELINE: "История", "Timeline", "进度";
    REVIEW_DEADLINE: "Проверка до", "Review deadline", "审核截止";
    REVIEW_PAUSED: "Срок проверки приостановлен, пока мы ждём ваших сведений: оставшиеся рабочие дни продолжатся, когда вы ответите",
        "The review clock is paused while we wait for your information: the remaining working days continue when you reply",
        "在等待您补充信息期间审核计时暂停：您回复后继续计算剩余的工作日";
    REVIEW_PAUSED_SHORT: "приостановлен", "paused", "已暂停";
    PAUSED_DAYS: "Приостановлено рабочих дней", "Working days paused", "暂停的工作日";
    OVERDUE: "просрочено", "overdue", "已逾期";
    DOCUMENTS: "Документы", "Documents", "证件";
    UPLOADED: "Загружено", "Uploaded", "已上传";
    NOT_UPLOADED: "не загружен", "not uploaded", "未上传";
    UPLOAD: "Загрузить", "Upload", "上传";
    FILE: "Файл (JPEG, PNG или PDF)", "File (JPEG, PNG or PDF)", "文件（JPEG、PNG 或 PDF）";
    SETTLEMENT: "Остаток на счёте", "Your remaining balance", "剩余余额";
    SETTLEMENT_HELP: "Остаток не сгорает: переведите его на другой свой номер или получите возврат — на счёт, по СБП, на карту или наличными, как предлагает оператор. Реквизиты счёта можно не указывать сейчас: способ возврата выбирается и после расторжения.", "Your balance is never kept silently: move it to another of your numbers or get it refunded — to a bank account, by SBP, to your card or in cash, as your operator offers. Bank details may wait: the way of the refund can be chosen after the termination.", "余额不会被扣留：可以转到您的其他号码，或按运营商提供的方式退款（银行账户、快速支付系统、银行卡或现金）。现在可以不填银行信息，解约后再选择退款方式。";
    REFUND: "Возврат остатка", "Refund", "退款";
    TRANSFER: "Перевести на другой мой номер", "Move to another of my numbers", "转到我的其他号码";
    RECIPIENT: "Получатель (ФИО)", "Recipient's full name", "收款人姓名";
    BIK: "БИК банка", "Bank BIK", "银行 BIK 代码";
    ACCOUNT: "Номер счёта", "Account number", "账号";
    TO_LINE: "На номер", "To number", "转入号码";
    SAVE: "Сохранить", "Save", "保存";
    SAVED: "Сохранено.", "Saved.", "已保存。";
    FINAL_BILL: "Итоговый счёт", "Final bill", "最终账单";
    PREVIEW: "предварительный", "preview", "预览";
    OPENING_BALANCE: "Баланс на начало", "Opening balance", "期初余额";
    CHARGES: "Начисления", "Charges", "费用";
    PAYMENTS: "Платежи", "Payments", "付款";
    CLOSING_BALANCE: "Итого", "Closing balance", "期末余额";
    SUBMIT: "Отправить заявку", "Submit the request", "提交申请";
    SUBMITTED: "Заявка отправлена.", "Your request has been submitted.", "申请已提交。";
    WITHDRAW: "Отозвать заявку", "Withdraw the request", "撤回申请";
    WAITING: "Заявка на проверке. Решение придёт по e-mail и SMS.", "Your request is being reviewed. The decision will arrive by e-mail and SMS.", "您的申请正在审核中，结果将通过电子邮件和短信通知。";
    INFO_REQUESTED: "Нужна дополнительная информация", "More information is needed", "需要补充信息";
    PROVIDE_INFO: "Ответить", "Reply", "回复";
    YOUR_ANSWER: "Ваш ответ", "Your answer", "您的回复";
    REJECTED_BECAUSE: "Заявка отклонена. Причина:", "The request was rejected. Reason:", "申请被拒绝。原因：";
    FROZEN_UNTIL: "Номер заморожен до", "The number is frozen until", "号码冻结至";
    REVOKE_HELP: "До этой даты вы можете передумать: номер и договор вернутся к вам.", "Until then you can change your mind: the number and the contract come back to you.", "在此日期之前您可以反悔：号码和合同将恢复给您。";
    REVOKE: "Вернуть номер", "Revoke the cancellation", "撤销解约";
    REVOKED: "Расторжение отменено, номер снова ваш.", "The cancellation is revoked; the number is yours again.", "解约已撤销，号码已恢复。";
    CERTIFICATE: "Справка о расторжении", "Certificate of termination", "解约证明";
    DOWNLOAD: "Скачать PDF", "Download the PDF", "下载 PDF";
    AFTERWARDS: "Что сделать после расторжения", "What to do afterwards", "解约后的事项";
    AFTER_1: "Проверьте итоговый счёт.", "Check the final bill.", "核对最终账单。";
    AFTER_2: "Разрежьте SIM-карту или сдайте её в салон, который принимает SIM-карты на переработку.", "Cut up the SIM card, or drop it at a store that recycles SIM cards.", "剪毁 SIM 卡，或交到回收 SIM 卡的营业厅。";
    AFTER_3: "Сохраните контакты, записанные на SIM-карте.", "Back up the contacts stored on the SIM.", "备份存储在 SIM 卡上的联系人。";
    AFTER_4: "Смените номер в банках, на Госуслугах и в соцсетях, где он служил для входа.", "Update the number at banks, state services and social networks where you used it to sign in.", "在银行、政务服务和社交网络中更新用于登录的号码。";
    REMINDER_NOTE: "Мы напомним вам до окончания заморозки.", "We will remind you before the freeze ends.", "冻结期结束前我们会提醒您。";
    DONE: "Готово.", "Done.", "完成。";
    BACK: "Назад", "Back", "返回";

    REGION: "Регион", "Region", "地区";
    ADDRESS: "Адрес", "Address", "地址";
    ALL_OPTIONS: "Все", "All", "全部";
    FILTER: "Показать", "Show", "筛选";
    OPEN_NOW: "Открыто сейчас", "Open now", "正在营业";
    CLOSED_NOW: "Сейчас закрыто", "Closed now", "现在已关门";
    LOCAL_TIME: "Местное время", "Local time", "当地时间";
    TODAY: "Сегодня", "Today", "今天";
    CLOSED: "выходной", "closed", "休息";
    WAIT: "Ожидание, мин", "Current wait, min", "当前等候（分钟）";
    RECYCLES_SIMS: "Принимает SIM-карты на переработку", "Recycles SIM cards", "回收 SIM 卡";
    ACCEPTS_TERMINATIONS: "Расторгает договоры", "Handles cancellations", "办理解约";
    HOURS: "Часы работы", "Opening hours", "营业时间";
    HOLIDAYS: "Особые дни", "Holiday exceptions", "节假日安排";
    NO_STORES: "Салонов не найдено.", "No stores found.", "未找到营业厅。";

    CERT_CHECK: "Проверка справки", "Certificate check", "证明验证";
    CERT_NUMBER: "Номер справки", "Certificate number", "证明编号";
    CHECK: "Проверить", "Check", "验证";
    GENUINE: "Справка подлинная: подпись оператора верна.", "This certificate is genuine: the operator's signature is valid.", "此证明真实有效：运营商签名正确。";
    NOT_GENUINE: "Подпись не сходится: справка изменена или поддельна.", "The signature does not match: the certificate was altered or forged.", "签名不符：该证明已被篡改或伪造。";
    CERT_NOT_FOUND: "Справка с таким номером не найдена.", "No certificate has this number.", "未找到该编号的证明。";
    SUBSCRIBER: "Абонент", "Subscriber", "用户";
    TERMINATED_AT: "Договор расторгнут", "Terminated at", "解约时间";
    RESERVED_UNTIL: "Номер закреплён до", "Number reserved until", "号码保留至";
    REASON: "Основание", "Reason", "原因";
    NOTE: "Комментарий", "Note", "备注";

    REQUESTS_BY_DEADLINE: "Заявки по сроку проверки", "Requests by review deadline", "按审核截止排序的申请";
    QUEUE_EMPTY: "Очередь пуста.", "The queue is empty.", "队列为空。";
    CHANNEL: "Канал", "Channel", "渠道";
    CATEGORY: "Категория", "Category", "类别";
    CREATED: "Создана", "Created", "创建时间";
    APPROVE: "Одобрить", "Approve", "批准";
    REJECT: "Отклонить", "Reject", "拒绝";
    REQUEST_INFO: "Запросить информацию", "Request information", "要求补充信息";
    COMPLETE: "Завершить расторжение", "Complete the termination", "完成解约";
    REASON_FOR_SUBSCRIBER: "Причина (её увидит абонент)", "Reason (the subscriber will see it)", "原因（用户可见）";
    VERIFY: "Подлинник проверен", "Original checked", "已核对原件";
    DOC_REJECT: "Не подходит", "Not acceptable", "不合格";
    VIEW: "Просмотр", "View", "查看";
    APPLICATION_FORM: "Печать заявления", "Print the application form", "打印申请表";
    PRINT_CERTIFICATE: "Печать справки", "Print the certificate", "打印证明";
    FIND_BY_NUMBER: "Найти абонента по номеру", "Find a subscriber by number", "按号码查找用户";
    FIND: "Найти", "Find", "查找";
    START_IN_STORE: "Оформить заявление в салоне", "Start an in-store application", "在营业厅办理申请";
    TODAYS_QUEUE: "Заявки салона", "This store's requests", "本营业厅的申请";
    NOT_FOUND_NUMBER: "Номер не найден у вашего оператора.", "The number was not found at your operator.", "在您的运营商处未找到该号码。";
    NO_ACTIVE_LINE: "На этом номере нет действующего договора.", "No active contract holds this number.", "该号码没有有效合同。";
    DOCUMENTS_CHECKED_IN_STORE: "В салоне подлинники документов проверяет сотрудник.", "In a store the clerk checks the original documents.", "在营业厅由工作人员核对证件原件。";

    REQUESTS_BY_STATE: "Заявки по состояниям", "Requests by state", "各状态的申请";
    REQUESTS_BY_CHANNEL: "Заявки по каналам", "Requests by channel", "各渠道的申请";
    SLA: "Соблюдение срока проверки", "Review deadline compliance", "审核时效达标情况";
    ON_TIME: "в срок", "on time", "按时";
    LATE: "с опозданием", "late", "逾期完成";
    OPEN_IN_TIME: "на проверке", "open", "审核中";
    OPEN_OVERDUE: "просрочены", "open, overdue", "审核中（已逾期）";
    AGING_BY_DATE: "Номера в заморозке по дате освобождения", "Numbers in aging by release date", "按释放日期统计的冻结号码";
    REFUNDS_BY_STATE: "Возвраты по состояниям", "Refunds by state", "各状态的退款";
    NOTHING_YET: "Пока нет данных.", "Nothing yet.", "暂无数据。";
    POLICIES: "Правила операторов", "Operator policies", "运营商政策";
    STAFF: "Сотрудники", "Staff", "员工";
    OUTBOX: "Исходящие уведомления", "Notifications outbox", "通知发件箱";
    AUDIT_LOG: "Журнал аудита", "Audit log", "审计日志";
    NETWORK_ALERTS: "Сбои в сети", "Network alerts", "网络告警";
    ROLE: "Роль", "Role", "角色";
    DISABLED: "отключён", "disabled", "已停用";
    REVOCATION: "Возврат номера", "Revocation", "可撤销";
    STORE: "Салон", "Store", "营业厅";
    RECIPIENT_SHORT: "Кому", "To", "收件人";
    TEMPLATE: "Шаблон", "Template", "模板";
    WHEN: "Когда", "When", "时间";
    WHO: "Кто", "Who", "操作人";
    WHAT: "Что", "What", "操作";
    OBJECT: "Объект", "Object", "对象";
    ONLINE_ALLOWED: "Онлайн", "Online", "在线";
    YES: "да", "yes", "是";
    NO: "нет", "no", "否";
    TOTAL: "Всего", "Total", "合计";
    STEP: "Шаг", "Step", "步骤";
    ATTEMPTS: "Попыток", "Attempts", "尝试次数";
    ERROR: "Ошибка", "Error", "错误";

    NOT_FOUND: "Страница не найдена", "Page not found", "页面未找到";
    FORBIDDEN: "Нет доступа к этой странице.", "You may not open this page.", "您无权访问此页面。";
    SESSION_EXPIRED: "Сессия истекла: обновите страницу и повторите.", "Your session changed: reload the page and try again.", "会话已变更：请刷新页面后重试。";
    SOMETHING_WRONG: "Что-то пошло не так. Попробуйте ещё раз позже.", "Something went wrong. Please try again later.", "出现问题，请稍后重试。";
    ADD_STORE: "Добавить салон", "Add a store", "添加营业厅";
    EDIT_STORE: "Изменить салон", "Edit the store", "编辑营业厅";
    DELETE: "Удалить", "Delete", "删除";
    KIND: "Тип", "Kind", "类型";
    STORE_KIND: "Салон связи", "Store", "营业厅";
    TIME_ZONE: "Часовой пояс", "Time zone", "时区";
    STORE_ID: "Код салона", "Store id", "营业厅编号";
    HOURS_HELP: "Например: mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; sun closed; 2027-01-01 closed", "For example: mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; sun closed; 2027-01-01 closed", "例如：mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; sun closed; 2027-01-01 closed";
    FIX_FIELDS: "Исправьте поля:", "Please correct:", "请更正：";
    STORE_IN_USE: "Салон нельзя удалить: к нему привязаны сотрудники или заявки.", "The store cannot be deleted: staff or requests are tied to it.", "无法删除该营业厅：有员工或申请与其关联。";
    STORE_EXISTS: "Салон с таким кодом уже есть.", "A store with this id exists.", "该编号的营业厅已存在。";
    IMPORTS: "Загрузки данных", "Imports", "数据导入";
    ROWS: "Строк", "Rows", "行数";
    UPDATED: "Изменено", "Updated", "已更新";
    UNCHANGED: "Без изменений", "Unchanged", "未变";
    IMPORTS_HINT: "Файлы загружаются командой simexit import; здесь — кто, когда и что загрузил.", "Files are imported with simexit import; here is who imported what, and when.", "文件通过 simexit import 导入；此处显示谁在何时导入了什么。";
    DEMO_HINT: "Демо: пароль всех учётных записей — demo.", "Demo: every account's password is demo.", "演示：所有账户的密码均为 demo。";
}

pub fn request_state(lang: Language, s: RequestState) -> &'static str {
    lang.t(match s {
        RequestState::Draft => &Msg { ru: "черновик", en: "draft", zh: "草稿" },
        RequestState::Submitted => &Msg { ru: "на проверке", en: "under review", zh: "审核中" },
        RequestState::InfoRequested => {
            &Msg { ru: "нужна информация", en: "information requested", zh: "需要补充信息" }
        }
        RequestState::InfoProvided => {
            &Msg { ru: "информация получена", en: "information provided", zh: "已补充信息" }
        }
        RequestState::Approved => &Msg { ru: "одобрена", en: "approved", zh: "已批准" },
        RequestState::Rejected => &Msg { ru: "отклонена", en: "rejected", zh: "已拒绝" },
        RequestState::Withdrawn => &Msg { ru: "отозвана", en: "withdrawn", zh: "已撤回" },
        RequestState::Completed => {
            &Msg {
                ru: "расторгнут, номер заморожен", en: "cancelled, number frozen", zh: "已解约，号码冻结中"
            }
        }
        RequestState::Revoked => {
            &Msg { ru: "расторжение отменено", en: "cancellation revoked", zh: "解约已撤销" }
        }
        RequestState::Closed => &Msg { ru: "закрыта", en: "closed", zh: "已结束" },
    })
}

pub fn action(lang: Language, a: &str) -> &'static str {
    let m = match a.parse::<Action>() {
        Ok(Action::Submit) => &Msg { ru: "отправлена", en: "submitted", zh: "已提交" },
        Ok(Action::Withdraw) => &Msg { ru: "отозвана", en: "withdrawn", zh: "已撤回" },
        Ok(Action::Approve) => &Msg { ru: "одобрена", en: "approved", zh: "已批准" },
        Ok(Action::Reject) => &Msg { ru: "отклонена", en: "rejected", zh: "已拒绝" },
        Ok(Action::RequestInfo) => &Msg {
            ru: "запрошена информация", en: "information requested", zh: "要求补充信息"
        },
        Ok(Action::ProvideInfo) => {
            &Msg {
                ru: "информация предоставлена", en: "information provided", zh: "已补充信息"
            }
        }
        Ok(Action::Complete) => {
            &Msg { ru: "договор расторгнут", en: "contract cancelled", zh: "合同已解约" }
        }
        Ok(Action::Revoke) => {
            &Msg { ru: "расторжение отменено", en: "cancellation revoked", zh: "解约已撤销" }
        }
        Ok(Action::EndAging) => {
            &Msg { ru: "заморозка окончена", en: "freeze ended", zh: "冻结期结束" }
        }
        Err(_) => match a {
            "create" => &Msg { ru: "создана", en: "created", zh: "已创建" },
            "overdue" => {
                &Msg { ru: "срок проверки истёк", en: "review deadline passed", zh: "审核已逾期" }
            }
            _ => &Msg { ru: "изменение", en: "update", zh: "更新" },
        },
    };
    lang.t(m)
}

pub fn line_state(lang: Language, s: LineState) -> &'static str {
    lang.t(match s {
        LineState::Active => &Msg { ru: "действует", en: "active", zh: "使用中" },
        LineState::Suspended => &Msg { ru: "приостановлен", en: "suspended", zh: "已暂停" },
        LineState::PendingTermination => {
            &Msg { ru: "идёт расторжение", en: "cancellation in progress", zh: "解约办理中" }
        }
        LineState::Terminated => &Msg { ru: "расторгнут", en: "cancelled", zh: "已解约" },
    })
}

pub fn channel(lang: Language, c: Channel) -> &'static str {
    lang.t(match c {
        Channel::Online => &Msg { ru: "онлайн", en: "online", zh: "在线" },
        Channel::Store => &Msg { ru: "в салоне", en: "in store", zh: "营业厅" },
    })
}

pub fn reason(lang: Language, r: Reason) -> &'static str {
    r.words(lang)
}

pub fn category(lang: Language, c: CustomerCategory) -> &'static str {
    lang.t(match c {
        CustomerCategory::Resident => &Msg { ru: "гражданин РФ", en: "resident", zh: "本国居民" },
        CustomerCategory::ForeignResident => {
            &Msg { ru: "иностранец с ВНЖ", en: "foreign resident", zh: "外籍居民" }
        }
        CustomerCategory::Tourist => &Msg { ru: "турист", en: "tourist", zh: "游客" },
    })
}

pub fn document(lang: Language, d: DocumentKind) -> &'static str {
    d.words(lang)
}

/// A bill line: a charge is named by its service; other movements by their kind.
pub fn bill_item(lang: Language, kind: simexit_domain::ledger::MovementKind, memo: &str) -> String {
    use simexit_domain::ledger::MovementKind as K;
    let m = match kind {
        K::Charge => return memo.to_owned(),
        K::Opening => {
            &Msg { ru: "Перенесённый остаток", en: "Balance carried over", zh: "结转余额" }
        }
        K::Payment => &Msg { ru: "Платёж", en: "Payment", zh: "付款" },
        K::Transfer => &Msg { ru: "Перевод остатка", en: "Balance transfer", zh: "余额转移" },
        K::Refund => {
            &Msg {
                ru: "К возврату на банковский счёт", en: "To be refunded to a bank account", zh: "待退还至银行账户"
            }
        }
        K::RefundPaid => &Msg { ru: "Возврат выплачен", en: "Refund paid", zh: "退款已支付" },
        K::RefundFailed => &Msg {
            ru: "Возврат не прошёл", en: "Refund returned by the bank", zh: "退款被银行退回"
        },
        K::WriteOff => &Msg { ru: "Списание", en: "Write-off", zh: "核销" },
        K::Reversal => &Msg { ru: "Сторно", en: "Reversal", zh: "冲正" },
    };
    lang.t(m).to_owned()
}

pub fn role(lang: Language, r: simexit_domain::access::Role) -> &'static str {
    use simexit_domain::access::Role as R;
    lang.t(match r {
        R::Subscriber => &Msg { ru: "абонент", en: "subscriber", zh: "用户" },
        R::Clerk => &Msg { ru: "сотрудник салона", en: "store clerk", zh: "营业员" },
        R::Reviewer => &Msg { ru: "проверяющий", en: "reviewer", zh: "审核员" },
        R::Admin => &Msg { ru: "администратор", en: "administrator", zh: "管理员" },
        R::Auditor => &Msg { ru: "аудитор", en: "auditor", zh: "审计员" },
        R::ApiClient => &Msg { ru: "API-клиент", en: "API client", zh: "API 客户端" },
    })
}

pub fn outbox_status(lang: Language, s: &str) -> &'static str {
    lang.t(match s {
        "sent" => &Msg { ru: "отправлено", en: "sent", zh: "已发送" },
        "sending" => &Msg { ru: "отправляется", en: "sending", zh: "发送中" },
        "parked" => &Msg {
            ru: "отложено после ошибок", en: "parked after failures", zh: "多次失败已搁置"
        },
        _ => &Msg { ru: "в очереди", en: "queued", zh: "排队中" },
    })
}

pub fn message_channel(lang: Language, c: &str) -> &'static str {
    lang.t(match c {
        "email" => &Msg { ru: "e-mail", en: "e-mail", zh: "电子邮件" },
        _ => &Msg { ru: "SMS", en: "SMS", zh: "短信" },
    })
}

pub fn document_status(lang: Language, s: &str) -> &'static str {
    lang.t(match s {
        "verified" => &Msg { ru: "проверен", en: "verified", zh: "已核验" },
        "rejected" => &Msg { ru: "не принят", en: "not accepted", zh: "未通过" },
        "destroyed" => &Msg { ru: "уничтожен", en: "destroyed", zh: "已销毁" },
        _ => &Msg { ru: "загружен", en: "uploaded", zh: "已上传" },
    })
}

pub fn refund_state(lang: Language, s: &str) -> &'static str {
    lang.t(match s {
        "awaiting_details" => {
            &Msg { ru: "ждём реквизиты", en: "awaiting bank details", zh: "等待银行信息" }
        }
        "requested" => &Msg { ru: "на согласовании", en: "awaiting approval", zh: "待审批" },
        "cancelled" => &Msg { ru: "отменён", en: "cancelled", zh: "已取消" },
        "approved" => &Msg { ru: "одобрен", en: "approved", zh: "已批准" },
        "paid" => &Msg { ru: "выплачен", en: "paid", zh: "已支付" },
        "failed" => &Msg { ru: "не прошёл", en: "failed", zh: "失败" },
        _ => &Msg { ru: "в работе", en: "in progress", zh: "处理中" },
    })
}

/// Money as people of each language write it.
pub fn money(lang: Language, m: Money) -> String {
    let k = m.kopecks();
    let sign = if k < 0 { "−" } else { "" };
    let (r, c) = (k.unsigned_abs() / 100, k.unsigned_abs() % 100);
    let rubles = group(r, if lang == Language::Ru { '\u{a0}' } else { ',' });
    match lang {
        Language::Ru => format!("{sign}{rubles},{c:02}\u{a0}₽"),
        Language::En => format!("{sign}RUB\u{a0}{rubles}.{c:02}"),
        Language::Zh => format!("{sign}{rubles}.{c:02}\u{a0}卢布"),
    }
}

fn group(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_three_texts_and_they_differ() {
        for (name, m) in MESSAGES {
            assert!(!m.ru.is_empty() && !m.en.is_empty() && !m.zh.is_empty(), "{name} lacks a text");
            assert_ne!(m.ru, m.en, "{name}: the Russian text is the English one");
            assert!(m.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{name}: no Chinese in `{}`", m.zh);
        }
    }

    #[test]
    fn money_reads_naturally_in_each_language() {
        let m = Money::from_kopecks(1_234_505);
        assert_eq!(money(Language::Ru, m), "12\u{a0}345,05\u{a0}₽");
        assert_eq!(money(Language::En, m), "RUB\u{a0}12,345.05");
        assert_eq!(money(Language::Zh, Money::from_kopecks(-30_000)), "−300.00\u{a0}卢布");
    }
}
