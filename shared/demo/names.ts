/** Word lists for the demo: real place names of Xingguo and Ganzhou, and common Gannan surnames. */

/** County-level names of Ganzhou (江西赣州); the first is the seed policy's county (seed 002). */
export const COUNTY_NAMES = [
  '兴国县',
  '于都县',
  '宁都县',
  '瑞金市',
  '会昌县',
  '石城县',
  '信丰县',
  '安远县',
  '寻乌县',
  '大余县',
  '崇义县',
  '上犹县',
  '全南县',
  '定南县',
  '龙南市',
  '赣县区',
  '南康区',
] as const;

/** The 25 townships of Xingguo county (9 towns, 16 xiang), county seat first. */
export const XINGGUO_TOWNS = [
  '潋江镇',
  '江背镇',
  '古龙岗镇',
  '梅窖镇',
  '高兴镇',
  '良村镇',
  '龙口镇',
  '杰村乡',
  '埠头乡',
  '崇贤乡',
  '枫边乡',
  '南坑乡',
  '城岗乡',
  '社富乡',
  '鼎龙乡',
  '长冈乡',
  '东村乡',
  '兴莲乡',
  '永丰乡',
  '隆坪乡',
  '均村乡',
  '茶园乡',
  '樟木乡',
  '方太乡',
  '兴江乡',
] as const;

/** Plausible Gannan town roots for the other counties of a multi-county ("city") dataset. */
// biome-ignore format: a compact word list
export const TOWN_ROOTS = [
  '梓山', '银坑', '岭背', '罗坳', '禾丰', '黄麟', '贡江', '车溪', '段屋', '沙心', '葛坳', '利村',
  '新陂', '仙下', '宽田', '桂林江', '盘古山', '小溪', '马安', '靖石', '黄陂', '青塘', '长胜', '湛田',
  '钓峰', '安福', '东山坝', '赖村', '石上', '田埠', '对坊', '固村', '洛口', '大沽', '蔡江', '肖田',
  '壬田', '九堡', '沙洲坝', '云石山', '叶坪', '拔英', '武阳', '谢坊', '泽覃', '日东', '冈面', '丁陂',
  '湘洪', '清溪', '西江', '文武坝', '筠门岭', '周田', '右水', '庄口', '站塘', '白鹅', '珠兰', '小松',
  '屏山', '横江', '高田', '丰山', '大龙', '木兰', '龙布', '珠坑', '琴江', '杨村', '横市', '油山',
] as const;

/** Common surnames in southern Jiangxi, most frequent first (weights roughly follow frequency). */
// biome-ignore format: a compact word list
export const SURNAMES = [
  '刘', '陈', '钟', '谢', '黄', '曾', '李', '肖', '王', '张', '邱', '廖', '温', '赖', '罗', '杨',
  '胡', '朱', '吴', '何', '郭', '林', '徐', '周', '邓', '傅', '蔡', '彭', '黎', '袁', '卢', '邹',
  '严', '丁', '凌', '古', '宋', '叶', '魏', '郑', '孙', '欧阳', '龚', '汪', '兰', '易', '缪', '潘',
] as const;

/** Characters used in given names (one or two are drawn). */
// biome-ignore format: a compact word list
export const GIVEN_CHARS = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明',
  '超', '秀', '英', '华', '平', '刚', '桂', '玲', '红', '斌', '建', '志', '文', '辉', '晨', '鹏',
  '宇', '浩', '俊', '婷', '雪', '琳', '慧', '颖', '佳', '欣', '倩', '燕', '霞', '梅', '兰', '萍',
  '荣', '海', '波', '林', '峰', '亮', '飞', '春', '晓', '丹', '蓉', '璐', '瑶', '思', '诗', '雨',
  '梓', '涵', '轩', '博', '睿', '国', '卫', '东', '金', '生', '福', '长', '根', '香', '莲', '凤',
  '雯', '琪', '嘉', '怡', '昊', '然', '鑫', '磊', '彬', '锋', '星', '智', '远', '庆', '珍', '琴',
] as const;
