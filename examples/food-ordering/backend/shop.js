// @ts-check
/**
 * The food-ordering data (in memory: a real app has its database here) and every change to it.
 * Each change returns the events it causes, as the seed's customer app expects them: a type,
 * the channels it goes to, and its data.
 */

/** @typedef {'placed' | 'accepted' | 'preparing' | 'on_the_way' | 'delivered'} OrderStatus */
/** @typedef {{ id: string, name: string, cuisine: string, isActive: boolean, eta: string }} Store */
/** @typedef {{ id: string, storeId: string, name: string, price: number, available: boolean }} Product */
/** @typedef {{ productId: string, name: string, qty: number, price: number }} OrderItem */
/**
 * @typedef {{ id: string, customerId: string, storeId: string, storeName: string, items: OrderItem[], total: number,
 *   status: OrderStatus, history: { status: OrderStatus, at: string }[] }} Order
 */
/** @typedef {{ type: string, channels: string[], data: Record<string, unknown> }} ShopEvent */

/** The order of a delivery. */
export const STATUSES = /** @type {const} */ (['placed', 'accepted', 'preparing', 'on_the_way', 'delivered']);

const MAX_ITEMS = 20;
const MAX_QTY = 9;

/** The channel of one customer's orders: user-limited, so only that signed-in customer may subscribe. */
export const ordersChannel = (/** @type {string} */ customerId) => `orders#${customerId}`;
export const storeChannel = (/** @type {string} */ storeId) => `store:${storeId}`;
export const STORES_CHANNEL = 'stores';

export class Shop {
  constructor() {
    /** @type {Map<string, { id: string, name: string }>} */
    this.customers = new Map([
      ['dana', { id: 'dana', name: 'Dana Reyes' }],
      ['eli', { id: 'eli', name: 'Eli Novak' }],
    ]);
    /** @type {Map<string, Store>} */
    this.stores = new Map(
      [
        { id: 's1', name: 'Pho Saigon', cuisine: 'Vietnamese', isActive: true, eta: '25–35 min' },
        { id: 's2', name: 'Napoli Pizza', cuisine: 'Pizza', isActive: true, eta: '30–40 min' },
        { id: 's3', name: 'Green Bowl', cuisine: 'Salads', isActive: false, eta: '15–25 min' },
      ].map((s) => [s.id, s]),
    );
    /** @type {Map<string, Product>} */
    this.products = new Map(
      [
        ['p1', 's1', 'Beef pho', 1250],
        ['p2', 's1', 'Fresh spring rolls', 690],
        ['p3', 's1', 'Bánh mì', 850],
        ['p4', 's1', 'Iced coffee', 450],
        ['p5', 's2', 'Margherita', 1100],
        ['p6', 's2', 'Diavola', 1300],
        ['p7', 's3', 'Caesar bowl', 1050],
      ].map(([id, storeId, name, price]) => [String(id), { id: String(id), storeId: String(storeId), name: String(name), price: Number(price), available: true }]),
    );
    /** @type {Map<string, Order>} */
    this.orders = new Map();
    this.nextOrder = 1;
  }

  /** @param {string} storeId */
  productsOf(storeId) {
    return [...this.products.values()].filter((p) => p.storeId === storeId);
  }

  /** @param {string} customerId */
  ordersOf(customerId) {
    return [...this.orders.values()].filter((o) => o.customerId === customerId).reverse();
  }

  /**
   * @param {string} customerId
   * @param {unknown} input `{storeId, items: [{productId, qty}]}`
   * @returns {{ error: string } | { order: Order, events: ShopEvent[] }}
   */
  placeOrder(customerId, input) {
    const body = /** @type {{ storeId?: unknown, items?: unknown }} */ (typeof input === 'object' && input !== null ? input : {});
    const store = typeof body.storeId === 'string' ? this.stores.get(body.storeId) : undefined;
    if (!store) return { error: 'no such store' };
    if (!store.isActive) return { error: `${store.name} is closed right now` };
    if (!Array.isArray(body.items) || body.items.length === 0 || body.items.length > MAX_ITEMS) return { error: `1 to ${MAX_ITEMS} items` };
    /** @type {OrderItem[]} */
    const items = [];
    for (const item of body.items) {
      const product = this.products.get(String(item?.productId));
      const qty = Number(item?.qty);
      if (!product || product.storeId !== store.id) return { error: 'an item is not on this menu' };
      if (!product.available) return { error: `${product.name} is sold out` };
      if (!Number.isInteger(qty) || qty < 1 || qty > MAX_QTY) return { error: `quantity 1 to ${MAX_QTY}` };
      items.push({ productId: product.id, name: product.name, qty, price: product.price });
    }
    const id = `o${this.nextOrder++}`;
    /** @type {Order} */
    const order = {
      id,
      customerId,
      storeId: store.id,
      storeName: store.name,
      items,
      total: items.reduce((sum, i) => sum + i.qty * i.price, 0),
      status: 'placed',
      history: [{ status: 'placed', at: new Date().toISOString() }],
    };
    this.orders.set(id, order);
    return { order, events: [orderUpdated(order)] };
  }

  /** The restaurant moves an order on to its next status. @param {string} orderId */
  advanceOrder(orderId) {
    const order = this.orders.get(orderId);
    if (!order) return { error: 'no such order' };
    const next = STATUSES[STATUSES.indexOf(order.status) + 1];
    if (!next) return { error: 'the order is delivered already' };
    order.status = next;
    order.history.push({ status: next, at: new Date().toISOString() });
    return { order, events: [orderUpdated(order)] };
  }

  /** @param {string} storeId @param {{ isActive?: unknown, eta?: unknown }} change */
  changeStore(storeId, change) {
    const store = this.stores.get(storeId);
    if (!store) return { error: 'no such store' };
    /** @type {ShopEvent[]} */
    const events = [];
    if (typeof change.isActive === 'boolean' && change.isActive !== store.isActive) {
      store.isActive = change.isActive;
      events.push({ type: 'store_availability_changed', channels: [STORES_CHANNEL, storeChannel(store.id)], data: { storeId, isActive: store.isActive } });
    }
    if (typeof change.eta === 'string' && change.eta.length <= 40 && change.eta !== store.eta) {
      store.eta = change.eta;
      events.push({ type: 'store_updated', channels: [STORES_CHANNEL, storeChannel(store.id)], data: { storeId, store } });
    }
    return { store, events };
  }

  /** @param {string} productId @param {{ available?: unknown, price?: unknown }} change */
  changeProduct(productId, change) {
    const product = this.products.get(productId);
    if (!product) return { error: 'no such product' };
    /** @type {ShopEvent[]} */
    const events = [];
    const channels = [storeChannel(product.storeId)];
    if (typeof change.available === 'boolean' && change.available !== product.available) {
      product.available = change.available;
      events.push({ type: 'product_availability_changed', channels, data: { storeId: product.storeId, productId, available: product.available } });
    }
    if (Number.isInteger(change.price) && Number(change.price) > 0 && change.price !== product.price) {
      product.price = Number(change.price);
      events.push({ type: 'product_updated', channels, data: { storeId: product.storeId, product } });
    }
    return { product, events };
  }
}

/** @param {Order} order @returns {ShopEvent} */
function orderUpdated(order) {
  return { type: 'order_updated', channels: [ordersChannel(order.customerId)], data: { orderId: order.id, status: order.status } };
}
