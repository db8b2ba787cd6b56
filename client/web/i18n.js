// The page's words: Chinese first, English available (the choice is remembered).
const zh = {
  title: '绩效评价工作台', lang: 'English', logout: '退出',
  needSecure: '此页面需要安全连接（https，或本机的 http://localhost / 127.0.0.1）才能使用密钥。',
  noEd25519: '此浏览器不支持 Ed25519 签名（需要 Chromium 137 或更新版本）。',
  keyTitle: '您的密钥', keyNone: '此浏览器中还没有您的密钥。',
  keyName: '姓名（写在公钥行中）', keyCreate: '在此浏览器中创建密钥',
  keyImport: '导入 jx keygen 生成的密钥文件', keyLine: '请把下面这一行交给管理员登记：',
  keyAdmin: '管理员运行：', keyFp: '指纹', keyForget: '删除此浏览器中的密钥',
  login: '登录', loggingIn: '正在登录…', connecting: '正在连接服务器…',
  notRegistered: '服务器不认识这个密钥：请管理员先登记上面的公钥行。',
  notAKey: '这不是 jixiao 密钥文件（jx keygen 写的 id_ed25519）。',
  damagedKey: '这个密钥文件已损坏（私钥与公钥不符）。',
  serverUnproven: '服务器未能证明它的身份（挑战没有用它的密钥签名）。',
  serverChanged: '服务器的密钥与上次登录时不同：可能不是同一台服务器，已拒绝登录。',
  disconnected: '与服务器的连接断开，正在重连…',
  workspaces: '我参与的评价', noWorkspaces: '您还没有参与任何评价。',
  subject: '评价对象', year: '年度', kind: '类型', phase: '阶段', total: '总分', grade: '等级',
  role: '我的角色', open: '打开', back: '返回列表',
  kinds: ['', '绩效目标申报', '绩效自评', '重点绩效评价'],
  phases: ['草稿', '已提交', '征求意见', '已定稿'],
  roles: ['', '管理员', '评价人员', '复核人员', '被评价单位', '观察员'],
  tabSheet: '评分表', tabBudget: '预算执行', tabFindings: '问题与建议', tabHistory: '历史',
  tabWorkflow: '签字流程',
  code: '编码', indicator: '指标', weight: '分值', target: '指标值', actual: '完成值',
  method: '评分方法', score: '得分', comment: '评价情况', status: '状态',
  computed: '公式计算', vetoed: '否决', claimedBy: '正在处理：', unscored: '未评分',
  revision: '修订', weightSum: '权重合计',
  saved: '已保存', saving: '正在保存…',
  conflictTitle: '编辑冲突', conflictText: '您编辑期间，{who} 已修改了这一项（修订 {rev}）。',
  theirs: '对方的版本', mine: '我的版本', keepTheirs: '保留对方的', reapplyMine: '重新应用我的',
  mergeText: '合并文本', mergeSave: '保存合并结果', cancel: '取消',
  liveChange: '{who} 修改了 {what}', badScore: '得分须为最多两位小数的非负数，如 4.5',
  reasonPrompt: '此评价已提交，修改需要说明理由：',
  submit: '签字提交', signoff: '复核签字', reopen: '重新打开', commentBtn: '发表意见',
  endComments: '结束征求意见', reopenReason: '重新打开的理由',
  signTitle: '您将签署以下内容', signDigest: '摘要（BLAKE2b，由本页计算）', signConfirm: '确认签字',
  signatures: '签字记录', signed: '已签字', signMismatch: '服务器拒绝了签名：',
  budgetInitial: '年初预算', budgetCarry: '上年结转', budgetAdjust: '预算调整',
  budgetFinal: '全年预算', budgetSpent: '支出', budgetRate: '执行率', budgetLines: '支出明细合计',
  yuan: '元', noBudget: '尚无预算数据。', budgetSave: '保存预算数据',
  budgetBad: '金额须为万元数，如 1164.43：', budgetConflict: '预算数据已被他人修改：已显示最新数据，您填写的内容仍在输入框中，请核对后再保存。',
  findingKinds: ['', '存在问题', '建议', '经验做法'], addFinding: '添加', findingText: '内容',
  noFindings: '尚无内容。', edit: '修改', remove: '删除', save: '保存',
  findingConflict: '此条已被他人修改（对方的版本如下）：您的文字仍在编辑框中，请核对后再保存。',
  exportXlsx: '下载评分表（xlsx）', exportHtml: '下载评价报告（HTML）',
  evidence: '佐证材料', noEvidence: '尚无佐证材料。', download: '下载', upload: '上传文件',
  evidenceBad: '文件下载失败或与记录的哈希不符：',
  histRev: '修订', histTime: '时间', histUser: '用户', histWhat: '变更', histView: '查看',
  histDiff: '与当前比较', histCompare: '比较两个修订', histAt: '修订 {rev} 时的评分表（只读）', diffTitle: '修订 {a} → {b} 的差异',
  noDiff: '没有差异。', field: '字段', before: '之前', after: '之后',
  errors: {
    3: '输入有误', 5: '未找到', 6: '已存在', 7: '没有权限', 8: '超出限制', 9: '当前状态不允许',
    10: '冲突', 13: '服务器内部错误', 14: '服务器暂不可用', 16: '未登录',
  },
};

const en = {
  title: 'Performance evaluation workspace', lang: '中文', logout: 'Log out',
  needSecure: 'This page needs a secure connection (https, or http://localhost / 127.0.0.1) to use keys.',
  noEd25519: 'This browser cannot make Ed25519 signatures (Chromium 137 or newer is needed).',
  keyTitle: 'Your key', keyNone: 'This browser holds no key of yours yet.',
  keyName: 'Your name (written in the public key line)', keyCreate: 'Create a key in this browser',
  keyImport: 'Import the key file jx keygen wrote', keyLine: 'Give this line to an admin to register:',
  keyAdmin: 'The admin runs:', keyFp: 'Fingerprint', keyForget: 'Delete the key from this browser',
  login: 'Log in', loggingIn: 'Logging in…', connecting: 'Connecting…',
  notRegistered: 'The server does not know this key: ask an admin to register the line above.',
  notAKey: 'That is not a jixiao key file (the id_ed25519 jx keygen wrote).',
  damagedKey: 'That key file is damaged (its secret and public halves disagree).',
  serverUnproven: 'The server did not prove its identity (its challenge is not signed by its key).',
  serverChanged: 'The server’s key differs from the last login: it may be another server; not logged in.',
  disconnected: 'The connection to the server broke; reconnecting…',
  workspaces: 'My evaluations', noWorkspaces: 'You have no role in any evaluation yet.',
  subject: 'Subject', year: 'Year', kind: 'Kind', phase: 'Phase', total: 'Total', grade: 'Grade',
  role: 'My role', open: 'Open', back: 'Back to the list',
  kinds: ['', 'Target declaration', 'Self-evaluation', 'Key evaluation'],
  phases: ['Draft', 'Submitted', 'Comment round', 'Final'],
  roles: ['', 'admin', 'evaluator', 'reviewer', 'evaluated unit', 'observer'],
  tabSheet: 'Score sheet', tabBudget: 'Budget', tabFindings: 'Findings', tabHistory: 'History',
  tabWorkflow: 'Sign-off',
  code: 'Code', indicator: 'Indicator', weight: 'Weight', target: 'Target', actual: 'Actual',
  method: 'Method', score: 'Score', comment: 'Comment', status: 'Status',
  computed: 'computed', vetoed: 'veto', claimedBy: 'on it: ', unscored: 'unscored',
  revision: 'revision', weightSum: 'weights',
  saved: 'Saved', saving: 'Saving…',
  conflictTitle: 'Edit conflict', conflictText: 'While you edited, {who} changed this (revision {rev}).',
  theirs: 'Theirs', mine: 'Mine', keepTheirs: 'Keep theirs', reapplyMine: 'Re-apply mine',
  mergeText: 'Merge the text', mergeSave: 'Save the merge', cancel: 'Cancel',
  liveChange: '{who} changed {what}', badScore: 'A score is a number with at most two decimals, e.g. 4.5',
  reasonPrompt: 'This evaluation is submitted: say why you change it:',
  submit: 'Sign and submit', signoff: 'Sign off', reopen: 'Reopen', commentBtn: 'Comment',
  endComments: 'End the comment round', reopenReason: 'Why it is reopened',
  signTitle: 'You are signing this', signDigest: 'Digest (BLAKE2b, computed by this page)', signConfirm: 'Sign',
  signatures: 'Signatures', signed: 'Signed', signMismatch: 'The server refused the signature: ',
  budgetInitial: 'Initial budget', budgetCarry: 'Carried over', budgetAdjust: 'Adjustments',
  budgetFinal: 'Full-year budget', budgetSpent: 'Spent', budgetRate: 'Execution rate', budgetLines: 'Expense lines',
  yuan: 'yuan', noBudget: 'No budget facts yet.', budgetSave: 'Save the budget facts',
  budgetBad: 'An amount is in 万元, e.g. 1164.43:', budgetConflict: 'Someone changed the budget meanwhile: it is shown as it is now, and what you typed is still in the fields; check it and save again.',
  findingKinds: ['', 'Problems', 'Recommendations', 'Good practice'], addFinding: 'Add', findingText: 'Text',
  noFindings: 'None yet.', edit: 'Edit', remove: 'Remove', save: 'Save',
  findingConflict: 'Someone changed this meanwhile (theirs below): your text is still in the box; check it and save again.',
  exportXlsx: 'Download the sheet (xlsx)', exportHtml: 'Download the report (HTML)',
  evidence: 'Evidence', noEvidence: 'No evidence files yet.', download: 'Download', upload: 'Upload a file',
  evidenceBad: 'The download failed or does not match its recorded hash:',
  histRev: 'Rev', histTime: 'Time', histUser: 'User', histWhat: 'Change', histView: 'View',
  histDiff: 'Compare with now', histCompare: 'Compare two revisions', histAt: 'The sheet at revision {rev} (read only)', diffTitle: 'Changes from revision {a} to {b}',
  noDiff: 'No differences.', field: 'Field', before: 'Before', after: 'After',
  errors: {
    3: 'Invalid input', 5: 'Not found', 6: 'Already exists', 7: 'Not allowed', 8: 'Over a limit',
    9: 'Not in this state', 10: 'Conflict', 13: 'Server error', 14: 'Server unavailable', 16: 'Not logged in',
  },
};

let words = localStorage.getItem('jixiao.lang') === 'en' ? en : zh;

export function t(key, vars) {
  let s = words[key] ?? zh[key] ?? key;
  if (vars && typeof s === 'string') {
    for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  }
  return s;
}

export function lang() {
  return words === en ? 'en' : 'zh';
}

export function toggleLang() {
  words = words === en ? zh : en;
  localStorage.setItem('jixiao.lang', lang());
  document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
}
