/** Alerts in Chinese. */
import { type DigestWords, digestBody, lines, type Templates } from './text';

const DIGEST: DigestWords = {
  incidents: {
    confirmation_missed: '延迟确认',
    handover_missed: '错过交运',
    seller_cancelled: '卖家取消',
    delivery_late: '延迟送达',
    buyer_unanswered: '未回复买家',
    stalled: '物流停滞',
    payout_gap: '结算差异',
    quality_failed: '质检未通过',
  },
  metrics: {
    revenue: '销售额',
    ordered_units: '下单件数',
    hits_view: '浏览量',
    conv_tocart: '加购转化',
    cancellations: '取消',
    returns: '退货',
  },
  none: '无商品数据',
};

export const zh: Templates = {
  out_of_stock: (f) => ({
    what: `库存不足，无法预留：缺少 ${lines(f)}。`,
    todo: '请补货；到货后系统会立即为该订单预留库存。',
  }),
  ship_refused: (f) => ({
    what: `Ozon 拒绝了该订单的备货：${f.reason}。`,
    todo: '请在截止时间前于 Ozon 卖家后台处理（标记码、数量、状态）。',
  }),
  rfbs_handover: (f) => ({
    what: '订单已打包并贴好标签，等待交给您的物流商。',
    todo: `请交给物流商，并将运单号发送到 ${f.callbackPath}。`,
  }),
  delivery_stalled: (f) => ({
    what: `物流无进展：自 ${f.since} 起状态一直为「${f.status}」。`,
    todo: '请联系物流商确认包裹位置；如已丢失请发起索赔。',
  }),
  cancelled_after_ship: (f) => ({
    what: `订单在发货后被取消（${f.reason}）。`,
    todo: '请安排从物流商或分拣中心取回包裹。',
  }),
  payout_mismatch: (f) => ({
    what: `Ozon 结算 ${f.actual} ${f.currency}，预期 ${f.expected}（差额 ${f.difference}）。`,
    todo: '请在「财务 → 结算」中核对，如有误请联系 Ozon 客服申诉。',
  }),
  payout_missing: (f) => ({
    what:
      f.expected === undefined
        ? '结算期内 Ozon 未结算该货件的销售（预期回款一直未知）。'
        : `结算期内未收到 Ozon 的结算（预期 ${f.expected} ${f.currency}）。`,
    todo: '请查看「财务 → 结算」，必要时联系 Ozon 客服。',
  }),
  stock_publish_refused: (f) => ({
    what: `Ozon 拒绝了 ${f.items.length} 个商品的库存：${f.items
      .slice(0, 10)
      .map((i) => `${i.offerId}（仓库 ${i.warehouseId}，${i.code}）`)
      .join('；')}。Ozon 仍按旧库存销售。`,
    todo: '在卖家后台修正商品（已提交价格、仓库启用、offer_id 与您的库存一致），然后记录一次库存变动以重新发布。',
  }),
  stock_drift: (f) => ({
    what: `Ozon 上的库存与您的不一致，共 ${f.items.length} 个商品：${f.items
      .slice(0, 10)
      .map((i) => `${i.offerId}（仓库 ${i.warehouseId}）：Ozon ${i.ozon}，您的 ${i.product}`)
      .join('；')}。系统正在重新发布您的库存。`,
    todo: '如果在后台修改过库存或在其他渠道售出，请通过卖家 API 的 `stock` 操作记录实际数量。',
  }),
  pack_batch: (f) => ({
    what: `请在仓库 ${f.warehouseId} 打包 ${f.postings.length} 个包裹：${f.postings.slice(0, 20).join('、')}${f.fragile ? `——其中 ${f.fragile} 行为易碎品，请看包装说明` : ''}。拣货单：${f.packingList}（链接 ${f.linksValidHours} 小时内有效）。`,
    todo: '按拣货单拣货打包。FBS 面单会随该批发运的交接提醒一起发送；rFBS 面单由您的承运商提供。',
  }),
  ozon_access: (f) => ({
    what: `Ozon 拒绝了本系统的 API 密钥：${f.message}。修复之前无法读取或处理任何订单。`,
    todo: '请在卖家后台（设置 → API 密钥）创建或续期密钥，授予 `npm run doctor` 列出的角色，并保存到 OzonCredentials 密钥中。',
  }),
  partial_cancel: (f) => ({
    what: `已在 Ozon 取消未能按时备货的商品：${lines(f)}，其余商品照常发货。`,
    todo: '此订单无需操作；请为这些商品补货。',
  }),
  stock_cancelled: (f) => ({
    what: `因缺货已在 Ozon 取消订单（原因 352）：截止时缺少 ${lines(f)}。`,
    todo: '请补货并核对在 Ozon 上公布的库存：卖家原因的取消会影响评分。',
  }),
  packing_reminder: () => ({
    what: '仓库尚未确认该订单已打包。',
    todo: '请打包并确认（POST <SellerApiUrl>/<token>/packed），随后系统会在 Ozon 上备货。',
  }),
  confirmation_deadline: () => ({
    what: '订单尚未备货，发货截止时间临近。',
    todo: '请立即打包；超过截止时间 Ozon 会收取延迟费用并可能取消订单。',
  }),
  confirmation_deadline_missed: (f) => ({
    what: `发货截止时间已过，订单仍未备货。${f.cost}`,
    todo: '请今天完成备货并交接，或在 Ozon 取消之前自行取消。',
  }),
  marking_codes_required: (f) => ({
    what: `Ozon 组装此订单前还需要：${f.problems.join('；')}。`,
    todo: `请将更正后的数据发送到 ${f.callbackPath}；订单会等待，Ozon 接受后立即组装。`,
  }),
  marking_codes_refused: (f) => ({
    what: `Ozon 未接受此订单的组装数据：${f.problems.join('；')}。`,
    todo: `请将更正后的数据发送到 ${f.callbackPath}；订单会等待，Ozon 接受后立即组装。`,
  }),
  carrier_registration_failed: (f) => ({
    what: `Ozon 无法在承运商${f.carrier ? ` ${f.carrier}` : ''}处登记包裹（${f.substatus}）。`,
    todo: '请在卖家后台检查地址和包裹信息，修正或更换承运商，然后恢复该订单。',
  }),
  dropoff_limits: (f) => ({
    what: `交货点将拒收此包裹：${f.problems.join('；')}。`,
    todo: '请在发货日期前拆分订单，或送到可接收的交货点。',
  }),
  posting_split: (f) => ({
    what: `此订单分 ${f.postings.length} 个包裹发货：Ozon 为每个包裹建立了订单（${f.postings.join('、')}）。`,
    todo: '请分别包装每个包裹，并贴上各自订单号的面单；每个订单将单独跟进。',
  }),
  tariff_step: (f) => ({
    what: `此延迟订单的 Ozon 费率将在截止时间升至 ${f.rate}%${f.type ? `（${f.type}）` : ''}。`,
    todo: '请在此之前完成组装并交付，若无法发货请自行取消。',
  }),
  handover: (f) => ({
    what: `请在 ${f.deadline} 之前交接 ${f.parcels} 个包裹（${f.deliveryMethod}，仓库 ${f.warehouseId}）。交接单和运单（PDF）：${f.act} · 发运条码：${f.barcode}${f.labels.length ? ` · 面单（PDF）：${f.labels.join(' · ')}` : ''}（链接 ${f.linksValidHours} 小时内有效）。${f.notPacked ? `今天到期但尚未打包的订单：${f.notPacked} 个。` : ''}${f.unprinted.length ? `以下包裹未能打印面单：${f.unprinted.join('；')}。` : ''}${f.removed.length ? `已被移出交接单（随下一批发运）：${f.removed.join('、')}。` : ''}`,
    todo: '打印面单并贴到每个包裹上；打印交接单，在截单时间之前连同条码和包裹送到收货点。',
  }),
  label_unprinted: (f) => ({
    what: `Ozon 未能随本批发运打印此订单的面单：${f.reason}。`,
    todo: '请在截单时间之前在卖家后台（FBS → 订单 → 面单）打印面单：没有面单的包裹不会被接收。',
  }),
  handover_missed: (f) => ({
    what: `包裹未在发运截单时间之前交接。${f.cost}`,
    todo: '请随下一批发运交接（交接单和面单会在下一条交接提醒中发送），或在 Ozon 取消之前自行取消。',
  }),
  cancellation_request: (f) => ({
    what: `买家申请取消此订单，但包裹已交给承运商：“${f.reason}”。截止时间一到 Ozon 会自动同意，往返运费由您承担。`,
    todo: f.callbackPath
      ? `请在截止时间前答复：向 ${f.callbackPath} 发送 {"postingNumber", "approve": true|false, "comment"}；若不答复，系统会在截止前不久拒绝该申请。`
      : '请在截止时间前在卖家后台（rFBS → 取消申请）答复。',
  }),
  cancellation_answered: (f) => ({
    what: `买家的取消申请（“${f.reason}”）已被${f.by === 'policy' ? '您的规则' : f.by === 'seller' ? '您' : 'Ozon'}${f.decision === 'approved' ? '同意' : '拒绝'}${f.comment ? `，备注：“${f.comment}”` : ''}。`,
    todo:
      f.decision === 'approved'
        ? '无需操作：订单已取消，商品回到库存（或包裹由承运商退回）。'
        : '照常发货；买家仍可在收货时拒收。',
  }),
  return_request: (f) => ({
    what: `买家申请退回 ${f.offerId}（${f.price} ${f.currency}）：“${f.reason}”。${f.photos.length ? `照片：${f.photos.join(' ')}` : ''}您的规则未覆盖此申请；截止时 Ozon 将自动同意。`,
    todo: `请在截止前答复：向 ${f.callbackPath} 发送 {"returnId", "answer": "approve"（退回检查）| "refund"（退款不退货）| "compensate" 并附 "amount" | "reject" 并附 "comment"}，或在卖家后台答复。`,
  }),
  return_answered: (f) => ({
    what: `${f.offerId} 的退货申请（“${f.reason}”）已由${f.by === 'policy' ? '您的规则' : f.by === 'seller' ? '您' : 'Ozon 或后台'}处理：${{ approve: '同意，商品将退回检查', refund: '退款且不退货', compensate: `部分补偿 ${f.amount ?? ''}`, reject: '拒绝' }[f.answer]}。`,
    todo: f.answer === 'approve' ? '暂无需操作：包裹退回时会通知您。' : '无需操作：退款将与 Ozon 财务数据核对。',
  }),
  return_unanswered: (f) => ({
    what: `${f.offerId} 的退货申请（“${f.reason}”）未答复且您的时限已过：截止时 Ozon 将自动同意，买家会寄回商品。`,
    todo: '如不同意，请立即在卖家后台答复；否则无需操作，退货将继续跟踪。',
  }),
  return_arrived: (f) => ({
    what: `退回的 ${f.offerId} 已到${f.where === 'post' ? '邮局' : '您的交货点'}。`,
    todo: `请取回并检查，然后向 ${f.callbackPath} 发送 {"returnId", "condition": "resellable" | "defective", "refund": true | false, "comment"}：可再售的商品将回到库存和 Ozon 库存。`,
  }),
  return_storage: (f) => ({
    what: `退回的 ${f.offerId} 仍在交货点：截止时${f.stage === 'paid_storage' ? '开始收取仓储费' : 'Ozon 将销毁'}。`,
    todo: '请在截止前从交货点取回。',
  }),
  return_done: (f) => ({
    what: `${f.offerId} 的退货已结束：${{ restocked: '商品已回到货架和 Ozon 库存', written_off: '商品已报废', utilized: 'Ozon 已销毁商品', rejected: '申请已拒绝', refunded: '已退款给买家' }[f.outcome]}。`,
    todo: '无需操作。',
  }),
  return_left: (f) => ({
    what: `已停止跟踪 ${f.offerId} 的退货：${f.reason}。`,
    todo: '请在卖家后台（退货）完成处理；如商品可再售，请通过卖家 API 补回库存。',
  }),
  payout_reversed: (f) => ({
    what: `结算后发生退款：该订单净收入从 ${f.before} 变为 ${f.after} ${f.currency}（${f.difference}）。`,
    todo: '如退款无误则无需操作；否则请凭订单号联系 Ozon 客服。',
  }),
  quality_check: (f) => ({
    what: `在 Ozon 确认此订单前请检查 ${lines(f)}${f.failures ? `（下一件：已有 ${f.failures} 件未通过）` : ''}：能正常使用、配件齐全、无损坏。`,
    todo: `请在截止时间前将结果发送到 ${f.callbackPath}（{"passed": true}，或 {"passed": false, "offerId", "reason"}）；订单等待检查结果。`,
  }),
  quality_failed: (f) => ({
    what: `${f.offerId} ×${f.units} 未通过质检（${f.reason}），已从库存中核销。${f.next === 'next_unit' ? '已为订单预留另一件。' : f.next === 'short' ? '没有其他库存：订单等待补货。' : `已有 ${f.failures} 次质检未通过：订单暂停，等待您恢复。`}`,
    todo:
      f.next === 'next_unit'
        ? `请检查下一件并将结果发送到 ${f.callbackPath}。`
        : f.next === 'short'
          ? '请在截止时间前补货，否则订单将因缺货被取消。'
          : '请检查货架上的这批货和供应商；恢复订单以检查另一件。',
  }),
  quality_check_due: (f) => ({
    what: '此订单的质检仍未回复；只有质检通过后才会请求 Ozon 组装。',
    todo: `请检查商品并在截止时间前将结果发送到 ${f.callbackPath}。`,
  }),
  quality_flag: (f) => ({
    what: `${f.offerId} 因质量问题已退货 ${f.defects} 次：今后打包前将进行检查。`,
    todo: '请检查货架上的商品和供应商批次。',
  }),
  rating_warning: (f) => ({
    what: `Ozon 将您店铺的“${f.name}”（${f.rating}）评为 ${f.status}：${f.value}${f.past !== undefined ? `（之前 ${f.past}）` : ''}。${f.postings.length ? `影响该指标的订单：${f.postings.slice(0, 20).join(', ')}${f.postings.length > 20 ? ` 等 ${f.postings.length - 20} 个` : ''}。` : ''}`,
    todo: '请在卖家后台打开“评级”，在 Ozon 限制或罚款前改正（按时确认和交接、补货而不是取消、一天内回复买家）。',
  }),
  digest: (f) => {
    const b = digestBody(f, DIGEST);
    return {
      what: `您的一周 ${f.from} – ${f.to}：${b.figures}。${b.offers ? `按货号：${b.offers}。` : ''}按商品（Ozon 分析）：${b.skus}。${f.missing.length ? `您的套餐不包含按商品的${f.missing.map((m) => DIGEST.metrics[m] ?? m).join('、')}（需 Premium Plus）。` : ''}${f.unavailable ? `本周无法读取 Ozon 分析数据（${f.unavailable}）。` : ''}`,
      todo: '请查看提醒中列出的订单问题；其余数据见卖家后台的「分析」。',
    };
  },
  rating_penalty: () => ({
    what: 'Ozon 提示您的罚分已超限（penalty_score_exceeded）。',
    todo: '请立即在卖家后台打开“评级”：在罚分下降前 Ozon 可能限制店铺。',
  }),
  buyer_not_told: (f) => ({
    what: `无法通过 Ozon 聊天通知买家（${f.moment}）：${f.reason}。消息内容：“${f.text}”`,
    todo: '如有必要，请通过其他方式告知买家（买家来信后可在后台聊天中回复）。',
  }),
  buyer_message: (f) => ({
    what: `买家来信${f.posting ? `（订单 ${f.posting}）` : ''}（聊天 ${f.chatId}）：“${f.text}”`,
    todo: `请在截止前回复（Ozon 评级统计 24 小时内的回复）：向 ${f.callbackPath} 发送 {"chatId", "text"}，或在后台聊天中回复。`,
  }),
  buyer_reply_due: (f) => ({
    what: `买家仍在等待您的回复${f.posting ? `（订单 ${f.posting}）` : ''}（聊天 ${f.chatId}）：“${f.text}”`,
    todo: `请立即回复：向 ${f.callbackPath} 发送 {"chatId", "text"}。如已在后台回复，则无需操作。`,
  }),
  removed_from_act: (f) => ({
    what: `Ozon 未将此订单列入交接单 ${f.actId}：它将随下一批发运。`,
    todo: '请保留该包裹随下一批发运；如发货日期为今天，请在卖家后台查看原因。',
  }),
  handover_failed: (f) => ({
    what: `无法为 ${f.deliveryMethod}（仓库 ${f.warehouseId}）生成交接单：${f.reason}。`,
    todo: `请在 ${f.deadline} 前于卖家后台（FBS → 发运）生成交接单并连同条码打印。`,
  }),
  tracking_missing: () => ({
    what: '物流商尚未提供该 rFBS 订单的运单号。',
    todo: '请向物流商索取运单号并发送（POST <SellerApiUrl>/<token>/tracking）。',
  }),
  delivery_window_passed: () => ({
    what: '承诺给买家的送达时间已过，订单仍未送达。',
    todo: '请向物流商确认包裹状态，并告知买家新的送达时间。',
  }),
  possibly_lost: (f) => ({
    what: `包裹可能丢失：自 ${f.since} 起状态为「${f.status}」，已检查 ${f.checks} 次无进展。`,
    todo: '请向物流商（FBS 则向 Ozon 客服）发起查件或索赔，并准备退款或补发。',
  }),
  arbitration: (f) => ({
    what: `该订单处于争议中（${f.status}）。`,
    todo: '请在卖家后台向 Ozon 提交交接凭证（交接单、照片）。',
  }),
  not_accepted: () => ({
    what: '分拣中心未接收该包裹。',
    todo: '请从分拣中心取回包裹，检查包装和标签后重新发货。',
  }),
  cancel_skipped: (f) => ({
    what: `未取消该订单：Ozon 显示其状态为「${f.status}」，卖家已无法取消。`,
    todo: '未在 Ozon 上做任何更改。系统将从当前状态继续跟进该订单；请核对库存。',
  }),
  needs_attention: (f) => ({
    what: `订单处理已暂停，需要您处理：${f.problem} — ${f.cause}`,
    todo: '请先排除原因（在 Ozon 后台或库存中），然后恢复：seller API POST /resume {"postingNumber"} 或 npm run resume -- <订单号>。在此期间每天向 Ozon 复核一次。',
  }),
};
