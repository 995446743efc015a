// Labels in Chinese and English, and the district's way of writing times and ages.
// The organisation's own names (streets, communities, grids) stay Chinese in both languages.

const DICT = {
  zh: {
    title: '平战 · 宝塔区网格指挥',
    lang_other: 'English',
    sign_in: '登录',
    sign_out: '退出',
    sign_in_title: '请登录',
    sign_in_hint: '粘贴您的访问令牌（由 pingzhan token add 生成）。',
    token_placeholder: '访问令牌',
    signing_in: '正在登录…',
    not_signed_in: '未登录',
    token_invalid: '令牌无效：{detail}',
    read_only: '只读',
    no_access: '此账户（{role}）无权查看态势：{detail}',
    role_operator: '值班员',
    role_dashboard: '大屏',
    role_auditor: '审计',
    role_field: '现场',
    loading: '正在加载…',
    network_error: '网络错误，稍后重试',
    wartime: '战时',
    exercise: '演练',
    peacetime: '平时',
    level: '{n}级',
    mode_with_level: '{mode} {level}',
    legend_alert: '有险情或卡口缺岗',
    stale_stream: '实时连接已断开 {s} 秒，数据可能不是最新。',
    stale_warning: '数据可能过时：{w}',
    as_of: '数据截至 #{pos} · {time}',
    as_of_behind: '（滞后 {s} 秒）',
    live: '实时',
    offline: '离线',
    // side panel
    district_overview: '全区态势',
    grids_count: '{n} 个网格',
    grids_count_one: '{n} 个网格',
    unstaffed_short: '卡口缺岗',
    active_scopes: '战时范围',
    none: '无',
    trigger: '触发',
    trigger_label: '触发',
    colon: '：',
    street_count: '{parts} / {total}',
    since: '自 {t}',
    for_age: '已 {a}',
    attention: '需关注的网格',
    click_tile: '点击网格查看详情。',
    grid_detail: '网格详情',
    back: '返回全区',
    cadres: '下沉干部',
    on_duty: '卡口在岗',
    at_checkpoint: '卡口 {c}',
    unstaffed: '无人值守的卡口',
    unstaffed_for: '无人值守 {a}',
    hazards: '险情',
    reported_ago: '报告于 {a} 前',
    open_tasks: '待办任务',
    assigned_to: '负责：{who}',
    problems: '问题',
    escalated_to: '已上报至 {office}',
    not_escalated: '未上报',
    overdue_for: '逾期 {a}',
    loop_escalated: '待签收', loop_acknowledged: '已签收', loop_forwarded: '已转办，待签收',
    loop_reported_back: '已反馈，待确认', loop_reopened: '已退回重办',
    contact: '联系人（网格员）',
    no_contact: '无联系人',
    use_as_scope: '设为操作范围',
    severity_low: '低', severity_medium: '中', severity_high: '高', severity_critical: '危急',
    hazard_waterlogging: '积水', hazard_blocked_channel: '河道堵塞', hazard_landslide: '滑坡',
    hazard_road_damage: '道路损毁', hazard_building: '房屋险情', hazard_other: '其他险情',
    // operator panel
    operator_panel: '值班操作',
    scope: '范围',
    whole_street: '{name}（全街道）',
    mode: '操作',
    mode_wartime: '转入战时',
    mode_level: '调整等级',
    mode_peacetime: '恢复平时',
    mode_void: '作废本次战时',
    level_label: '等级',
    level_i_note: 'Ⅰ级须由第二名值班员确认后生效。',
    reason: '事由',
    reason_placeholder: '必填，例如：暴雨红色预警，启动应急响应',
    trigger_placeholder: '可选，例如：暴雨红色预警',
    exercise_label: '演练（不计入真实战时）',
    episode: '战时批次',
    no_episode: '该范围没有可作废的战时批次',
    submit: '提交',
    submitting: '提交中…',
    reason_required: '请填写事由。',
    choose_scope: '— 选择范围 —',
    scope_required: '请选择范围。',
    accepted: '已接受：{what}',
    proposed: '已提出，等待第二名值班员确认。',
    rejected: '被拒绝：{reason}',
    bad_request: '请求无效：{reason}',
    forbidden: '只读：此账户无权操作。',
    timeout: '超时：未及时收到结果，请在事件流中查看。',
    server_error: '服务错误（{status}）',
    pending_title: '待确认的提议',
    no_pending: '没有待确认的提议',
    proposal_level: '提议 {level}',
    proposal_void: '提议作废 {episode}',
    proposed_by: '提议人 {who}',
    expires: '{t} 前有效',
    waiting_second: '等待第二名值班员确认',
    confirm: '确认',
    // feed
    feed: '最新事件',
    feed_empty: '尚无事件。',
    mode_only: '仅模式切换',
    rejected_mark: '已拒绝',
    ev_SwitchedToWartime: '转入战时', ev_LevelChanged: '等级调整', ev_SwitchProposed: '提议',
    ev_VoidProposed: '提议作废', ev_ProposalSuperseded: '提议被取代', ev_EpisodeVoided: '战时作废',
    ev_SwitchedToPeacetime: '恢复平时', ev_MessageRejected: '拒绝',
  },
  en: {
    title: 'Pingzhan · Baota district grid command',
    lang_other: '中文',
    sign_in: 'Sign in',
    sign_out: 'Sign out',
    sign_in_title: 'Sign in',
    sign_in_hint: 'Paste your access token (made with pingzhan token add).',
    token_placeholder: 'access token',
    signing_in: 'Signing in…',
    not_signed_in: 'not signed in',
    token_invalid: 'Token not accepted: {detail}',
    read_only: 'read only',
    no_access: 'This account ({role}) may not read the situation: {detail}',
    role_operator: 'operator',
    role_dashboard: 'dashboard',
    role_auditor: 'auditor',
    role_field: 'field',
    loading: 'Loading…',
    network_error: 'Network error, will retry',
    wartime: 'Wartime',
    exercise: 'Exercise',
    peacetime: 'Peacetime',
    level: 'level {n}',
    mode_with_level: '{mode} {level}',
    legend_alert: 'hazard or unstaffed checkpoint',
    stale_stream: 'Live connection lost for {s} s; the data may be out of date.',
    stale_warning: 'Data may be stale: {w}',
    as_of: 'as of #{pos} · {time}',
    as_of_behind: ' ({s} s behind)',
    live: 'live',
    offline: 'offline',
    district_overview: 'District overview',
    grids_count: '{n} grids',
    grids_count_one: '{n} grid',
    unstaffed_short: 'unstaffed',
    active_scopes: 'Scopes in wartime',
    none: 'none',
    trigger: 'trigger',
    trigger_label: 'Trigger',
    colon: ': ',
    street_count: '{parts} / {total}',
    since: 'since {t}',
    for_age: 'for {a}',
    attention: 'Grids needing attention',
    click_tile: 'Click a grid for its details.',
    grid_detail: 'Grid details',
    back: 'Back to district',
    cadres: 'Cadres in the grid',
    on_duty: 'On duty at checkpoints',
    at_checkpoint: 'checkpoint {c}',
    unstaffed: 'Unstaffed checkpoints',
    unstaffed_for: 'unstaffed for {a}',
    hazards: 'Hazards',
    reported_ago: 'reported {a} ago',
    open_tasks: 'Open tasks',
    assigned_to: 'assigned to {who}',
    problems: 'Problems',
    escalated_to: 'escalated to {office}',
    not_escalated: 'not escalated',
    overdue_for: 'overdue {a}',
    loop_escalated: 'awaiting acknowledgement', loop_acknowledged: 'acknowledged',
    loop_forwarded: 'forwarded, awaiting acknowledgement', loop_reported_back: 'reported back, to confirm',
    loop_reopened: 'reopened',
    contact: 'Contact (grid worker)',
    no_contact: 'no contact',
    use_as_scope: 'Use as scope',
    severity_low: 'low', severity_medium: 'medium', severity_high: 'high', severity_critical: 'critical',
    hazard_waterlogging: 'waterlogging', hazard_blocked_channel: 'blocked channel', hazard_landslide: 'landslide',
    hazard_road_damage: 'road damage', hazard_building: 'building', hazard_other: 'other hazard',
    operator_panel: 'Operator',
    scope: 'Scope',
    whole_street: '{name} (whole street)',
    mode: 'Action',
    mode_wartime: 'Switch to wartime',
    mode_level: 'Change level',
    mode_peacetime: 'Back to peacetime',
    mode_void: 'Void the episode',
    level_label: 'Level',
    level_i_note: 'Level Ⅰ takes effect once a second operator confirms it.',
    reason: 'Reason',
    reason_placeholder: 'required, e.g. red rainstorm warning',
    trigger_placeholder: 'optional, e.g. 暴雨红色预警',
    exercise_label: 'Exercise (not real wartime)',
    episode: 'Episode',
    no_episode: 'This scope has no episode to void',
    submit: 'Submit',
    submitting: 'Submitting…',
    reason_required: 'A reason is required.',
    choose_scope: '— choose a scope —',
    scope_required: 'Choose a scope.',
    accepted: 'Accepted: {what}',
    proposed: 'Proposed; waiting for a second operator.',
    rejected: 'Rejected: {reason}',
    bad_request: 'Bad request: {reason}',
    forbidden: 'Read only: this account may not switch.',
    timeout: 'Timed out waiting for the outcome; watch the feed.',
    server_error: 'Server error ({status})',
    pending_title: 'Pending proposals',
    no_pending: 'No pending proposals',
    proposal_level: 'proposes {level}',
    proposal_void: 'proposes to void {episode}',
    proposed_by: 'by {who}',
    expires: 'valid until {t}',
    waiting_second: 'waiting for a second operator',
    confirm: 'Confirm',
    feed: 'Recent events',
    feed_empty: 'No events yet.',
    mode_only: 'mode changes only',
    rejected_mark: 'rejected',
    ev_SwitchedToWartime: 'wartime', ev_LevelChanged: 'level change', ev_SwitchProposed: 'proposal',
    ev_VoidProposed: 'void proposal', ev_ProposalSuperseded: 'superseded', ev_EpisodeVoided: 'voided',
    ev_SwitchedToPeacetime: 'peacetime', ev_MessageRejected: 'rejected',
  },
};

const ROMAN = { I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ', IV: 'Ⅳ' };
const TZ = 'Asia/Shanghai';

function stored() {
  try { return localStorage.getItem('pingzhan.lang'); } catch { return null; }
}

let lang = stored() === 'en' ? 'en' : 'zh';

export function getLang() { return lang; }

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh';
  try { localStorage.setItem('pingzhan.lang', lang); } catch { /* private mode */ }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

/** The label `key` in the current language, with {name} placeholders filled from `params`. */
export function t(key, params = {}) {
  const s = DICT[lang][key] ?? DICT.zh[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (params[k] ?? ''));
}

/** "1 grid", "12 grids" / "12 个网格". */
export function gridsCount(n) { return t(n === 1 ? 'grids_count_one' : 'grids_count', { n }); }

/** "Ⅱ" for "II". */
export function roman(level) { return ROMAN[level] ?? level ?? ''; }

/** "Ⅱ级" / "level Ⅱ". */
export function levelText(level) { return level ? t('level', { n: roman(level) }) : ''; }

/** "战时 Ⅱ级", "演练 Ⅲ级", "平时" (and the English). */
export function modeText(mode, level) {
  if (!mode || mode === 'peacetime' || !level) return t(mode === 'exercise' ? 'exercise' : 'peacetime');
  return t('mode_with_level', { mode: t(mode), level: levelText(level) });
}

/** A label of a known key, else the raw value (hazard kinds, severities, event names). */
export function known(prefix, value) {
  const key = prefix + value;
  return (DICT[lang][key] ?? DICT.zh[key]) ? t(key) : String(value ?? '');
}

const dateFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
const clockFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function parse(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `MM-DD HH:MM` in district time. */
export function fmtTime(iso) {
  const d = parse(iso);
  if (!d) return '';
  const p = Object.fromEntries(dateFmt.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** `HH:MM:SS` in district time. */
export function fmtClock(iso) {
  const d = parse(iso);
  return d ? clockFmt.format(d) : '';
}

/** The age of `iso` now: "3 h 12 min" / "3小时12分". */
export function fmtAge(iso, now = Date.now()) {
  const d = parse(iso);
  if (!d) return '';
  const mins = Math.max(0, Math.floor((now - d.getTime()) / 60000));
  const days = Math.floor(mins / 1440);
  const h = Math.floor((mins % 1440) / 60);
  const m = mins % 60;
  if (lang === 'zh') {
    if (days) return `${days}天${h}小时`;
    if (h) return `${h}小时${m}分`;
    return mins < 1 ? '不到1分钟' : `${m}分钟`;
  }
  if (days) return `${days} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  return mins < 1 ? '< 1 min' : `${m} min`;
}
