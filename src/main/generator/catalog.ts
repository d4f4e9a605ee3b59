/** The fictional store the generator simulates: its site and its products. */

/** Hostname of the simulated store; every page_location starts with it. */
export const SITE_HOSTNAME = 'shop.example.com'

/** A product; prices are integer cents so revenue sums stay exact. */
export interface Product {
  itemId: string
  name: string
  brand: string
  category: string
  slug: string
  priceCents: number
}

const RAW_PRODUCTS: ReadonlyArray<readonly [name: string, category: string, priceCents: number]> = [
  ['Classic Logo Hoodie', 'Apparel', 5499],
  ['Organic Cotton Tee', 'Apparel', 2199],
  ['Performance Quarter Zip', 'Apparel', 6450],
  ['Knit Beanie', 'Apparel', 1899],
  ['Trail Cap', 'Apparel', 2400],
  ['Rain Shell Jacket', 'Apparel', 11900],
  ['Everyday Backpack', 'Bags', 7900],
  ['Roll-top Daypack', 'Bags', 9450],
  ['Canvas Tote', 'Bags', 2250],
  ['Laptop Sleeve 14"', 'Bags', 3499],
  ['Insulated Bottle 750ml', 'Drinkware', 3200],
  ['Enamel Camp Mug', 'Drinkware', 1650],
  ['Travel Tumbler', 'Drinkware', 2799],
  ['Glass Pour-over Set', 'Drinkware', 4599],
  ['Sticker Pack', 'Accessories', 699],
  ['Enamel Pin Set', 'Accessories', 1299],
  ['Leather Keychain', 'Accessories', 1450],
  ['Wool Socks (3 pairs)', 'Accessories', 2499],
  ['Dot Grid Notebook', 'Stationery', 1599],
  ['Gel Pen Set', 'Stationery', 999],
  ['Desk Mat', 'Stationery', 3900],
  ['Wireless Charger', 'Electronics', 4999],
  ['Bluetooth Speaker', 'Electronics', 8999],
  ['Noise-cancelling Earbuds', 'Electronics', 14900],
  ['Gift Card $50', 'Gift Cards', 5000],
]

/** The product catalogue, with stable item ids. */
export const PRODUCTS: readonly Product[] = RAW_PRODUCTS.map(([name, category, priceCents], index) => ({
  itemId: `SKU_${10001 + index}`,
  name,
  brand: category === 'Gift Cards' ? 'Example Store' : 'Example Outfitters',
  category,
  slug: name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, ''),
  priceCents,
}))

/** Distinct categories, in catalogue order; each has a collection page. */
export const CATEGORIES: readonly string[] = [...new Set(PRODUCTS.map((product) => product.category))]

/** A page of the store, as the tag reports it. */
export interface Page {
  location: string
  title: string
  product: Product | null
}

const SITE = `https://${SITE_HOSTNAME}`

/** The home page. */
export const HOME_PAGE: Page = { location: `${SITE}/`, title: 'Home | Example Store', product: null }
/** The cart page. */
export const CART_PAGE: Page = { location: `${SITE}/cart`, title: 'Your Cart | Example Store', product: null }
/** The checkout page, where begin_checkout fires. */
export const CHECKOUT_PAGE: Page = { location: `${SITE}/checkout`, title: 'Checkout | Example Store', product: null }
/** The order confirmation page, where purchase fires. */
export const CONFIRMATION_PAGE: Page = {
  location: `${SITE}/checkout/thank-you`,
  title: 'Order Confirmed | Example Store',
  product: null,
}

/** A product detail page. */
export function productPage(product: Product): Page {
  return { location: `${SITE}/products/${product.slug}`, title: `${product.name} | Example Store`, product }
}

/** A collection (category listing) page. */
export function categoryPage(category: string): Page {
  const slug = category.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  return { location: `${SITE}/collections/${slug}`, title: `${category} | Example Store`, product: null }
}
